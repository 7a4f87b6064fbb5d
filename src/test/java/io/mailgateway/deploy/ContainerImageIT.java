package io.mailgateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import io.mailgateway.local.LocalKafkaBroker;
import io.mailgateway.mime.MessageIds;
import io.mailgateway.support.FreePorts;
import io.mailgateway.support.KafkaTopics;
import io.mailgateway.support.ManagementPort;
import io.mailgateway.support.TestRelay;

/**
 * The container image as a runtime runs it: unpacked from the Jib tar, started by runc as its own non-root user
 * with a read-only root, delivering one request from Kafka to an SMTP relay. Run by {@code .ci/image-smoke.sh},
 * which builds the image and passes it in MAIL_GATEWAY_IMAGE_TAR (and a work folder in MAIL_GATEWAY_IMAGE_WORK).
 */
class ContainerImageIT {

    private static final String CONTAINER_ID = "mail-gateway-smoke";
    private static final long MEMORY_LIMIT = 768L * 1024 * 1024;

    @Test
    void imageRunsAsItsNonRootUserOnAReadOnlyRootAndDeliversARequestEndToEnd() throws Exception {
        Path imageTar = Path.of(required("MAIL_GATEWAY_IMAGE_TAR"));
        Path work = Files.createDirectories(Path.of(required("MAIL_GATEWAY_IMAGE_WORK")));
        assertThat(new com.sun.security.auth.module.UnixSystem().getUid())
                .as("runc needs root to create the container's namespaces").isZero();

        Path bundle = Files.createDirectories(work.resolve("bundle"));
        ContainerImage image = ContainerImage.unpack(imageTar, bundle);

        // What the Dockerfile and the Jib profile promise about the image itself.
        assertThat(image.user()).as("numeric, non-root USER").matches("[1-9][0-9]*(:[0-9]+)?");
        assertThat(image.exposedPorts()).contains("8080/tcp");
        assertThat(image.entrypointAndCmd()).contains("io.mailgateway.MailGateway");
        Path workingDir = image.rootfs().resolve(image.workingDir().substring(1));
        assertThat(workingDir.resolve("routes")).as("no routes folder: the bundled routes apply").doesNotExist();
        assertThat(workingDir.resolve("templates")).as("no templates folder: the bundled ones apply").doesNotExist();

        try (LocalKafkaBroker broker = LocalKafkaBroker.start(work.resolve("kafka"));
                TestRelay relay = new TestRelay(Files.createDirectories(work.resolve("relay")), false);
                KafkaTopics kafka = new KafkaTopics(broker.bootstrapServers())) {
            broker.createTopics(1, "mail.outbound", "mail.results", "mail.dlq", "mail.retry", "mail.state", "mail.suppressions");

            // Mounted secrets, readable by the container's user as a Kubernetes secret volume would be.
            Path secrets = Files.createDirectories(work.resolve("secrets"));
            Files.setPosixFilePermissions(secrets, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.writeString(secrets.resolve("smtp-password"), relay.password() + "\n");
            Files.copy(relay.caPemFile(), secrets.resolve("relay-ca.pem"));
            for (String file : List.of("smtp-password", "relay-ca.pem")) {
                Files.setPosixFilePermissions(secrets.resolve(file), PosixFilePermissions.fromString("rw-r--r--"));
            }
            // Runtimes provide /etc/hosts; the relay's certificate names "localhost", bound to 127.0.0.1.
            Path hosts = Files.writeString(work.resolve("hosts"), "127.0.0.1\tlocalhost mail-gateway\n");
            Files.setPosixFilePermissions(hosts, PosixFilePermissions.fromString("rw-r--r--"));

            int managementPort = FreePorts.next();
            Map<String, String> env = Map.ofEntries(
                    Map.entry("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers()),
                    Map.entry("GATEWAY_GROUP_ID", "container-image-it"),
                    Map.entry("SMTP_HOST", "localhost"),
                    Map.entry("SMTP_PORT", String.valueOf(relay.port())),
                    Map.entry("SMTP_SECURITY", "starttls"),
                    Map.entry("SMTP_USERNAME", TestRelay.USERNAME),
                    Map.entry("SMTP_PASSWORD_FILE", "/run/secrets/smtp-password"),
                    Map.entry("SMTP_TRUST_CA_FILE", "/run/secrets/relay-ca.pem"),
                    Map.entry("GATEWAY_ALLOWED_SENDER_DOMAINS", "acme.example"),
                    Map.entry("GATEWAY_DEFAULT_FROM", "noreply@acme.example"),
                    Map.entry("MANAGEMENT_PORT", String.valueOf(managementPort)));

            try (KafkaTopics.Reader results = kafka.read("mail.results")) {
                long started = System.nanoTime();
                try (RuncContainer container = RuncContainer.start(image, bundle, work.resolve("runc-state"),
                        CONTAINER_ID, env, List.of(new RuncContainer.Bind(secrets, "/run/secrets"),
                                new RuncContainer.Bind(hosts, "/etc/hosts")), MEMORY_LIMIT)) {
                    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> {
                        assertThat(container.isRunning()).as("container exited:\n%s", container.output()).isTrue();
                        return ManagementPort.status(managementPort, "/observe/health/ready") == 200;
                    });
                    Duration timeToReady = Duration.ofNanos(System.nanoTime() - started);

                    assertThat(uidOf(container.pid())).as("the JVM's uid").isEqualTo(image.user().split(":")[0]);
                    assertThat(ManagementPort.status(managementPort, "/observe/health/live")).isEqualTo(200);

                    long sentAt = System.nanoTime();
                    kafka.send("mail.outbound", "image-1", """
                            {"id": "image-1", "template": "welcome", "locale": "en",
                             "to": ["grace@example.org"], "data": {"name": "Grace", "brand": {"name": "ACME"},
                             "loginUrl": "https://acme.example/login"}}""");
                    JsonNode result = results.awaitJson("image-1");
                    Duration timeToResult = Duration.ofNanos(System.nanoTime() - sentAt);
                    assertThat(result.get("status").asText()).as(container.output()).isEqualTo("SENT");
                    var mail = relay.awaitMessageId(MessageIds.forRequest("image-1", "noreply@acme.example"));
                    assertThat(mail.envelopeRecipients()).containsExactly("grace@example.org");
                    assertThat(container.output()).doesNotContain(relay.password());

                    // SIGTERM as the kubelet sends it: the gateway shuts down within its 30 s shutdown timeout.
                    long stopping = System.nanoTime();
                    container.stop(Duration.ofSeconds(40));
                    Duration timeToStop = Duration.ofNanos(System.nanoTime() - stopping);

                    String report = String.join("\n",
                            "image tar: " + mib(Files.size(imageTar)),
                            "image layers (compressed, base first): " + String.join(" + ",
                                    image.layerSizes().stream().map(ContainerImageIT::mib).toList()),
                            "image unpacked: " + mib(image.unpackedBytes()),
                            "time to ready: " + timeToReady.toMillis() + " ms",
                            "time from request to SENT result: " + timeToResult.toMillis() + " ms",
                            "time to stop after SIGTERM: " + timeToStop.toMillis() + " ms",
                            "");
                    Files.writeString(work.resolve("report.txt"), report);
                    System.out.print(report);
                }
            }
        }
    }

    private static String required(String name) {
        String value = System.getenv(name);
        assertThat(value).as(name + " is not set: run .ci/image-smoke.sh, which builds the image and runs this test")
                .isNotBlank();
        return value;
    }

    private static String uidOf(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status")).stream()
                .filter(line -> line.startsWith("Uid:"))
                .map(line -> line.split("\\s+")[1])
                .findFirst().orElseThrow();
    }

    private static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1024.0 / 1024.0);
    }
}
