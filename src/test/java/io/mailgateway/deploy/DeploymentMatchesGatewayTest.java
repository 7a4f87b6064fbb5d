package io.mailgateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.mailgateway.MailGateway;
import io.mailgateway.support.FreePorts;

/**
 * The Deployment agrees with the gateway it runs: probes on the paths and port the gateway serves, mounts where
 * the gateway is told to look, and a grace period longer than the gateway's shutdown timeout.
 */
class DeploymentMatchesGatewayTest {

    private static final Path APPLICATION_PROPERTIES = Path.of("src/main/resources/application.properties");
    private static final Pattern ENV_PLACEHOLDER = Pattern.compile("\\{\\{env:([A-Z0-9_]+):([^}]*)}}");
    private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\(([A-Za-z0-9_]+)\\)");
    /** Settings that name a folder the gateway reads, or a file in one. */
    private static final Set<String> DIRECTORY_SETTINGS = Set.of("GATEWAY_ROUTES_DIR", "GATEWAY_TEMPLATES_DIR");
    private static final Set<String> FILE_SETTINGS = Set.of("SMTP_PASSWORD_FILE", "SMTP_TRUST_CA_FILE",
            "GATEWAY_TENANTS_FILE", "KAFKA_SSL_TRUSTSTORE_LOCATION", "KAFKA_SSL_KEYSTORE_LOCATION",
            "GATEWAY_RELAYS_FILE");

    static Stream<Arguments> deployments() {
        List<Arguments> deployments = new ArrayList<>();
        Kustomize.overlays().forEach(o -> deployments.add(Arguments.of("overlay " + o.getFileName(), Kustomize.render(o))));
        Kustomize.components().forEach(c ->
                deployments.add(Arguments.of("base + component " + c.getFileName(), Kustomize.renderBaseWith(c))));
        return deployments.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("deployments")
    void probesCheckTheHealthEndpointsOnTheManagementPort(String name, List<ObjectNode> objects) throws IOException {
        Gateway gateway = Gateway.of(objects);
        int managementPort = Integer.parseInt(gateway.setting("MANAGEMENT_PORT"));

        assertThat(gateway.probePath("livenessProbe")).as(name).isEqualTo("/observe/health/live");
        assertThat(gateway.probePath("readinessProbe")).as(name).isEqualTo("/observe/health/ready");
        assertThat(gateway.probePath("startupProbe")).as(name).isEqualTo("/observe/health/live");
        for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
            assertThat(gateway.containerPort(gateway.container.path(probe).path("httpGet").path("port")))
                    .as("%s: %s port", name, probe).isEqualTo(managementPort);
        }
        ObjectNode service = Kustomize.find(objects, "Service", "mail-gateway").orElseThrow();
        assertThat(gateway.containerPort(service.path("spec").path("ports").get(0).path("targetPort")))
                .as("%s: Service targetPort", name).isEqualTo(managementPort);
        ObjectNode policy = Kustomize.find(objects, "NetworkPolicy", "mail-gateway").orElseThrow();
        assertThat(gateway.containerPort(policy.path("spec").path("ingress").get(0).path("ports").get(0).path("port")))
                .as("%s: NetworkPolicy ingress port", name).isEqualTo(managementPort);
        assertThat(gateway.pod.path("metadata").path("annotations").path("prometheus.io/port").asText())
                .as("%s: scrape port", name).isEqualTo(String.valueOf(managementPort));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("deployments")
    void terminationGracePeriodOutlastsTheShutdownTimeout(String name, List<ObjectNode> objects) throws IOException {
        Gateway gateway = Gateway.of(objects);
        int shutdownTimeout = Integer.parseInt(gateway.setting("GATEWAY_SHUTDOWN_TIMEOUT_SECONDS"));

        assertThat(gateway.pod.path("spec").path("terminationGracePeriodSeconds").asInt())
                .as(name).isGreaterThan(shutdownTimeout);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("deployments")
    void everyFolderAndFileTheGatewayIsPointedAtIsMounted(String name, List<ObjectNode> objects) throws IOException {
        Gateway gateway = Gateway.of(objects);
        for (String setting : DIRECTORY_SETTINGS) {
            String dir = gateway.setting(setting);
            if (!dir.isBlank()) {
                assertThat(gateway.mounts().keySet()).as("%s: %s=%s is a mount", name, setting, dir).contains(dir);
            }
        }
        for (String setting : FILE_SETTINGS) {
            String file = gateway.setting(setting);
            if (file.isBlank()) {
                continue;
            }
            Path path = Path.of(file);
            JsonNode volume = gateway.mounts().get(path.getParent().toString());
            assertThat(volume).as("%s: %s=%s lies in a mounted folder", name, setting, file).isNotNull();
            JsonNode items = volume.path("secret").path("items").isMissingNode()
                    ? volume.path("configMap").path("items") : volume.path("secret").path("items");
            if (items.isArray()) {
                assertThat(items.findValuesAsText("path")).as("%s: %s=%s is one of the volume's items", name, setting, file)
                        .contains(path.getFileName().toString());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("deployments")
    void variableReferencesNameVariablesDefinedBeforeThem(String name, List<ObjectNode> objects) {
        Gateway gateway = Gateway.of(objects);
        Set<String> defined = new LinkedHashSet<>(gateway.config.keySet());
        for (JsonNode variable : gateway.container.path("env")) {
            Matcher reference = ENV_REFERENCE.matcher(variable.path("value").asText());
            while (reference.find()) {
                // the kubelet leaves a reference to an unknown variable as it is, silently
                assertThat(defined).as("%s: %s refers to $(%s)", name, variable.path("name").asText(), reference.group(1))
                        .contains(reference.group(1));
            }
            defined.add(variable.path("name").asText());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("deployments")
    void templatePreviewPagesStayOff(String name, List<ObjectNode> objects) throws IOException {
        // they show what templates render and the mails of a development SMTP server: not for a cluster
        assertThat(Gateway.of(objects).setting("GATEWAY_PREVIEW_ENABLED")).as(name).isEqualTo("false");
    }

    @Test
    void templatesComponentPutsEveryFileOfTheTemplatesFolderInPlace() throws IOException {
        Gateway gateway = Gateway.of(Kustomize.renderBaseWith(Kustomize.K8S.resolve("components/custom-templates")));
        JsonNode volume = gateway.mounts().get(gateway.setting("GATEWAY_TEMPLATES_DIR"));
        Map<String, String> keyByPath = new LinkedHashMap<>();
        volume.path("configMap").path("items").forEach(item -> keyByPath.put(item.path("path").asText(), item.path("key").asText()));

        List<String> files;
        try (Stream<Path> walk = Files.walk(Path.of("templates"))) {
            files = walk.filter(Files::isRegularFile).map(p -> Path.of("templates").relativize(p).toString())
                    .filter(p -> !p.equals("README.md")).sorted().toList();
        }
        assertThat(keyByPath.keySet()).containsExactlyInAnyOrderElementsOf(files);
        keyByPath.forEach((path, key) -> assertThat(key).isEqualTo(path.replace("/", "__")));
    }

    @Test
    void gatewayServesTheProbePathsOfTheDeploymentOnItsManagementPort() throws Exception {
        Gateway gateway = Gateway.of(Kustomize.render(Kustomize.K8S.resolve("overlays/prod")));
        int port = FreePorts.next();
        // No broker: the endpoints must exist (readiness then answers 503), not be healthy.
        Main main = MailGateway.newMain(Map.of("camel.management.port", String.valueOf(port),
                "camel.component.kafka.brokers", "127.0.0.1:" + FreePorts.next()));
        main.start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + gateway.probePath(probe)))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as(probe + " " + gateway.probePath(probe)).isIn(200, 503);
                assertThat(response.body()).as(probe).contains("\"status\"");
            }
        } finally {
            main.stop();
        }
    }

    /** The gateway's Deployment in one rendering, with the settings its container ends up with. */
    private record Gateway(ObjectNode pod, JsonNode container, Map<String, String> config, List<ObjectNode> objects) {

        static Gateway of(List<ObjectNode> objects) {
            ObjectNode deployment = Kustomize.find(objects, "Deployment", "mail-gateway").orElseThrow();
            ObjectNode pod = (ObjectNode) deployment.path("spec").path("template");
            JsonNode container = pod.path("spec").path("containers").get(0);
            Map<String, String> config = new LinkedHashMap<>();
            for (JsonNode source : container.path("envFrom")) {
                String configMap = source.path("configMapRef").path("name").asText();
                objects.stream().filter(o -> "ConfigMap".equals(o.path("kind").asText()))
                        .filter(o -> configMap.equals(o.path("metadata").path("name").asText()))
                        .forEach(o -> o.path("data").fields().forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText())));
            }
            return new Gateway(pod, container, config, objects);
        }

        /** What the container sees for a setting: env, else the ConfigMap, else the default in application.properties. */
        String setting(String name) throws IOException {
            for (JsonNode variable : container.path("env")) {
                if (name.equals(variable.path("name").asText()) && variable.has("value")) {
                    return variable.path("value").asText();
                }
            }
            if (config.containsKey(name)) {
                return config.get(name);
            }
            Matcher placeholder = ENV_PLACEHOLDER.matcher(Files.readString(APPLICATION_PROPERTIES));
            while (placeholder.find()) {
                if (placeholder.group(1).equals(name)) {
                    return placeholder.group(2).trim();
                }
            }
            return "";
        }

        String probePath(String probe) {
            return container.path(probe).path("httpGet").path("path").asText();
        }

        /** A numeric port, or the number of the container port with that name. */
        int containerPort(JsonNode port) {
            if (port.isInt()) {
                return port.asInt();
            }
            for (JsonNode declared : container.path("ports")) {
                if (port.asText().equals(declared.path("name").asText())) {
                    return declared.path("containerPort").asInt();
                }
            }
            throw new AssertionError("no container port named " + port.asText());
        }

        /** Mount path to the volume mounted there. */
        Map<String, JsonNode> mounts() {
            Map<String, JsonNode> volumes = new LinkedHashMap<>();
            pod.path("spec").path("volumes").forEach(v -> volumes.put(v.path("name").asText(), v));
            Map<String, JsonNode> mounts = new LinkedHashMap<>();
            container.path("volumeMounts").forEach(m -> mounts.put(m.path("mountPath").asText(), volumes.get(m.path("name").asText())));
            return mounts;
        }
    }
}
