package io.mailgateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.local.LocalKafkaBroker;
import io.mailgateway.support.GatewayProcess;
import io.mailgateway.support.TestRelay;

/**
 * The class-data-sharing archive {@code mvn package} records beside the jar fits it: a start with the archive maps the
 * classes it needs (the gateway's own, Camel's, Kafka's) from it instead of loading them from the jar.
 */
class ClassDataArchiveIT {

    private static final Path ARCHIVE = Path.of("target", "mail-gateway.jsa").toAbsolutePath();
    private static final String FROM_ARCHIVE = "source: shared objects file";

    @Test
    void theJarStartsToReadyWithMostOfItsClassesMappedFromTheArchive(@TempDir Path work) throws Exception {
        assertThat(ARCHIVE).as("recorded by mvn package").isRegularFile();
        Path classLoads = work.resolve("class-load.log");
        try (LocalKafkaBroker broker = LocalKafkaBroker.start(work.resolve("kafka"));
                TestRelay relay = new TestRelay(work, false)) {
            broker.createTopics(1, "mail.outbound", "mail.results", "mail.dlq", "mail.retry", "mail.state",
                    "mail.suppressions");
            Map<String, String> environment = new HashMap<>(relay.gatewayEnvironment(work));
            environment.put("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
            environment.put("GATEWAY_GROUP_ID", "class-data-archive-it");
            // -Xshare:on: a JVM that cannot map the archive (missing, recorded from another jar or JVM) refuses to start
            List<String> jvmOptions = List.of("-Xmx256m", "-Xshare:on", "-XX:SharedArchiveFile=" + ARCHIVE,
                    "-Xlog:class+load=info:file=" + classLoads);
            try (GatewayProcess gateway = GatewayProcess.start(Files.createDirectories(work.resolve("run")),
                    environment, jvmOptions)) {
                assertThat(gateway.httpStatus("/observe/health/ready")).isEqualTo(200);
            }
        }

        List<String> loaded = Files.readAllLines(classLoads).stream().filter(line -> line.contains(" source: "))
                .toList();
        assertThat(loaded).filteredOn(line -> line.contains("io.mailgateway.config.GatewayConfiguration "))
                .singleElement().asString().contains(FROM_ARCHIVE);
        assertThat(loaded).filteredOn(line -> line.contains("org.apache.camel.main.Main "))
                .singleElement().asString().contains(FROM_ARCHIVE);
        long mapped = loaded.stream().filter(line -> line.contains(FROM_ARCHIVE)).count();
        assertThat(mapped).as("classes mapped from the archive, of %d loaded", loaded.size())
                .isGreaterThan(loaded.size() * 3 / 4);
    }
}
