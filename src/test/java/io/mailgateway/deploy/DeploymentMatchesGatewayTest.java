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
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.mailgateway.MailGateway;
import io.mailgateway.smtp.LongestTransaction;
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
    private static final Set<String> DIRECTORY_SETTINGS = Set.of("GATEWAY_ROUTES_DIR", "GATEWAY_TEMPLATES_DIR",
            "GATEWAY_PREVIEW_MAIL_DIR");
    private static final Set<String> FILE_SETTINGS = Set.of("SMTP_PASSWORD_FILE", "SMTP_TRUST_CA_FILE",
            "GATEWAY_TENANTS_FILE", "KAFKA_SSL_TRUSTSTORE_LOCATION", "KAFKA_SSL_KEYSTORE_LOCATION",
            "GATEWAY_RELAYS_FILE", "GATEWAY_PROFILE_AUTH_HEADER_FILE", "GATEWAY_PROFILE_TRUST_CA_FILE",
            "GATEWAY_UNSUBSCRIBE_SECRET_FILE", "GATEWAY_BOUNCE_SECRET_FILE", "GATEWAY_BOUNCE_MAILBOX_PASSWORD_FILE",
            "GATEWAY_BOUNCE_MAILBOX_TRUST_CA_FILE");
    /** File settings whose file holds a secret: it must come from a Secret volume, never a ConfigMap. */
    private static final Set<String> SECRET_FILE_SETTINGS = Set.of("SMTP_PASSWORD_FILE",
            "KAFKA_SSL_KEYSTORE_LOCATION", "GATEWAY_PROFILE_AUTH_HEADER_FILE", "GATEWAY_UNSUBSCRIBE_SECRET_FILE",
            "GATEWAY_BOUNCE_SECRET_FILE", "GATEWAY_BOUNCE_MAILBOX_PASSWORD_FILE");
    /** Variables whose value is itself a secret: only ever from a Secret (secretKeyRef), never written down. */
    private static final Pattern SECRET_VARIABLE = Pattern.compile(".*_(PASSWORD|SECRET)");
    /** Where the gateway reads its settings from the environment. */
    private static final List<Pattern> SETTING_READERS = List.of(
            Pattern.compile("\\{\\{env:([A-Z0-9_]+)"), Pattern.compile("\\$\\{env:([A-Z0-9_]+)"),
            Pattern.compile("getenv\\(\"([A-Z0-9_]+)\"\\)"));
    /** Variables the JVM reads itself, not the gateway. */
    private static final Set<String> JVM_VARIABLES = Set.of("JAVA_TOOL_OPTIONS");
    private static final Path UNSUBSCRIBE_COMPONENT = Kustomize.K8S.resolve("components/one-click-unsubscribe");

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
        ObjectNode service = Kustomize.named(objects, "Service", "mail-gateway").orElseThrow();
        assertThat(gateway.containerPort(service.path("spec").path("ports").get(0).path("targetPort")))
                .as("%s: Service targetPort", name).isEqualTo(managementPort);
        ObjectNode policy = Kustomize.named(objects, "NetworkPolicy", "mail-gateway").orElseThrow();
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
    void shutdownTimeoutCoversTheLongestSmtpSubmissionTheSettingsAllow(String name, List<ObjectNode> objects)
            throws IOException {
        Gateway gateway = Gateway.of(objects);
        Duration longest = LongestTransaction.of(
                Duration.ofMillis(Long.parseLong(gateway.setting("SMTP_CONNECT_TIMEOUT_MS"))),
                Duration.ofMillis(Long.parseLong(gateway.setting("SMTP_READ_TIMEOUT_MS"))),
                Duration.ofMillis(Long.parseLong(gateway.setting("SMTP_WRITE_TIMEOUT_MS"))),
                Integer.parseInt(gateway.setting("GATEWAY_MAX_RECIPIENTS")));

        // otherwise the gateway refuses to start
        assertThat(Duration.ofSeconds(Long.parseLong(gateway.setting("GATEWAY_SHUTDOWN_TIMEOUT_SECONDS"))))
                .as(name).isGreaterThanOrEqualTo(longest);
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

    @ParameterizedTest(name = "{0}")
    @MethodSource("deployments")
    void everyVariableTheContainerGetsIsAGatewaySetting(String name, List<ObjectNode> objects) throws IOException {
        // a misspelt or retired name would be ignored without a word, leaving the gateway at its default
        Gateway gateway = Gateway.of(objects);
        Set<String> settings = gatewaySettings();
        Set<String> referenced = new LinkedHashSet<>();
        for (JsonNode variable : gateway.container.path("env")) {
            Matcher reference = ENV_REFERENCE.matcher(variable.path("value").asText());
            while (reference.find()) {
                referenced.add(reference.group(1));
            }
        }
        Set<String> given = new LinkedHashSet<>(gateway.config.keySet());
        gateway.container.path("env").forEach(v -> given.add(v.path("name").asText()));
        for (String variable : given) {
            // a variable that only feeds another one through $(...) is not read by the gateway itself
            assertThat(settings.contains(variable) || referenced.contains(variable) || JVM_VARIABLES.contains(variable))
                    .as("%s: %s is a setting of the gateway (or referenced by one)", name, variable).isTrue();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("deployments")
    void secretsReachTheGatewayOnlyFromSecrets(String name, List<ObjectNode> objects) throws IOException {
        Gateway gateway = Gateway.of(objects);
        for (String variable : gateway.config.keySet()) {
            assertThat(variable).as("%s: the ConfigMap holds no secret", name).doesNotMatch(SECRET_VARIABLE);
        }
        for (JsonNode variable : gateway.container.path("env")) {
            if (SECRET_VARIABLE.matcher(variable.path("name").asText()).matches()) {
                assertThat(variable.has("value")).as("%s: %s is written in the manifest", name, variable.path("name").asText())
                        .isFalse();
                assertThat(variable.path("valueFrom").path("secretKeyRef").path("name").asText())
                        .as("%s: %s comes from a Secret", name, variable.path("name").asText()).isNotBlank();
            }
        }
        for (String setting : SECRET_FILE_SETTINGS) {
            String file = gateway.setting(setting);
            if (!file.isBlank()) {
                JsonNode volume = gateway.mounts().get(Path.of(file).getParent().toString());
                assertThat(volume).as("%s: %s=%s lies in a mounted folder", name, setting, file).isNotNull();
                assertThat(volume.path("secret").path("secretName").asText())
                        .as("%s: %s=%s is mounted from a Secret", name, setting, file).isNotBlank();
            }
        }
    }

    @Test
    void componentsBringNoSecretOfTheirOwn() {
        // a Secret in a component would be the same, known value in every installation
        for (Path component : Kustomize.components()) {
            assertThat(Kustomize.renderBaseWith(component)).as(component.toString())
                    .noneMatch(o -> "Secret".equals(o.path("kind").asText()));
        }
    }

    @Test
    void everyFileSettingOfTheGatewayIsCheckedForAMount() throws IOException {
        Set<String> named = gatewaySettings().stream().filter(s -> s.endsWith("_FILE") || s.endsWith("_LOCATION")).collect(
                Collectors.toCollection(LinkedHashSet::new));
        assertThat(FILE_SETTINGS).containsAll(named);
        assertThat(FILE_SETTINGS).containsAll(SECRET_FILE_SETTINGS);
    }

    @Test
    void oneClickUnsubscribeReadsItsSecretFromTheMountedSecret() throws IOException {
        Gateway gateway = Gateway.of(Kustomize.renderBaseWith(UNSUBSCRIBE_COMPONENT));
        Path secretFile = Path.of(gateway.setting("GATEWAY_UNSUBSCRIBE_SECRET_FILE"));

        JsonNode volume = gateway.mounts().get(secretFile.getParent().toString());
        assertThat(volume).as("GATEWAY_UNSUBSCRIBE_SECRET_FILE=%s lies in a mounted folder", secretFile).isNotNull();
        JsonNode secret = volume.path("secret");
        assertThat(secret.path("secretName").asText()).isEqualTo("mail-gateway-unsubscribe");
        Map<String, String> keyByPath = new LinkedHashMap<>();
        secret.path("items").forEach(item -> keyByPath.put(item.path("path").asText(), item.path("key").asText()));
        assertThat(keyByPath).as("the file GATEWAY_UNSUBSCRIBE_SECRET_FILE names is the Secret's key")
                .containsEntry(secretFile.getFileName().toString(), "secret");
        assertThat(gateway.setting("GATEWAY_UNSUBSCRIBE_SECRET")).as("no secret written in the manifests").isBlank();

        // the example users copy creates that Secret with that key
        ObjectNode example = Kustomize.named(Kustomize.read(Kustomize.K8S.resolve("examples/secrets.example.yaml")),
                "Secret", "mail-gateway-unsubscribe").orElseThrow();
        assertThat(example.path("stringData").has("secret")).isTrue();
    }

    @Test
    void oneClickUnsubscribePublishesThePublicHttpPortAndNothingElse() throws IOException {
        List<ObjectNode> objects = Kustomize.renderBaseWith(UNSUBSCRIBE_COMPONENT);
        Gateway gateway = Gateway.of(objects);
        int httpPort = Integer.parseInt(gateway.setting("GATEWAY_HTTP_PORT"));
        int managementPort = Integer.parseInt(gateway.setting("MANAGEMENT_PORT"));

        assertThat(gateway.setting("GATEWAY_HTTP_ENABLED")).isEqualTo("true");
        assertThat(gateway.setting("GATEWAY_UNSUBSCRIBE_ENABLED")).isEqualTo("true");
        assertThat(gateway.containerPort(TextNode.valueOf("http"))).as("container port http").isEqualTo(httpPort);

        ObjectNode service = Kustomize.named(objects, "Service", "mail-gateway-public").orElseThrow();
        assertThat(service.path("spec").path("ports")).singleElement()
                .satisfies(port -> assertThat(gateway.containerPort(port.path("targetPort"))).isEqualTo(httpPort));
        ObjectNode managementService = Kustomize.named(objects, "Service", "mail-gateway").orElseThrow();
        assertThat(managementService.path("spec").path("ports")).as("the management Service stays internal only")
                .allSatisfy(port -> assertThat(gateway.containerPort(port.path("targetPort"))).isEqualTo(managementPort));

        ObjectNode policy = Kustomize.named(objects, "NetworkPolicy", "mail-gateway-public").orElseThrow();
        JsonNode selected = policy.path("spec").path("podSelector").path("matchLabels");
        for (String label : List.of("app.kubernetes.io/name", "app.kubernetes.io/instance")) {
            assertThat(selected.path(label).asText()).as("the policy selects the gateway's pods by %s", label)
                    .isEqualTo(gateway.pod.path("metadata").path("labels").path(label).asText());
        }
        assertThat(policy.path("spec").path("ingress")).singleElement().satisfies(rule -> {
            assertThat(rule.path("ports")).singleElement()
                    .satisfies(port -> assertThat(gateway.containerPort(port.path("port"))).isEqualTo(httpPort));
            assertThat(rule.path("from")).as("admits the ingress controller, not every pod and address").isNotEmpty();
        });
    }

    @Test
    void gatewayAnswersOneClickUnsubscribeWithTheComponentsSettings(@TempDir Path dir) throws Exception {
        Gateway gateway = Gateway.of(Kustomize.renderBaseWith(UNSUBSCRIBE_COMPONENT));
        Map<String, String> properties = new LinkedHashMap<>();
        for (JsonNode variable : gateway.container.path("env")) {
            String setting = variable.path("name").asText();
            if (variable.has("value") && setting.matches("GATEWAY_(HTTP|UNSUBSCRIBE)_.*")) {
                String value = variable.path("value").asText();
                if (FILE_SETTINGS.contains(setting)) {
                    // the mounted Secret's file, here in a temporary folder
                    value = Files.writeString(dir.resolve(Path.of(value).getFileName().toString()),
                            "a-test-secret-of-more-than-32-bytes-" + UUID.randomUUID() + "\n").toString();
                }
                properties.put(propertyOf(setting), value);
            }
        }
        assertThat(properties).hasSize(4);
        assertThat(properties).as("the component exposes the server beyond loopback")
                .containsEntry(propertyOf("GATEWAY_HTTP_HOST"), "0.0.0.0");
        int port = FreePorts.next();
        properties.put(propertyOf("GATEWAY_HTTP_PORT"), String.valueOf(port));
        properties.put(propertyOf("GATEWAY_HTTP_HOST"), "127.0.0.1");
        properties.put("camel.management.port", String.valueOf(FreePorts.next()));
        // No broker: a token that is not one of ours never reaches the suppression list.
        properties.put("camel.component.kafka.brokers", "127.0.0.1:" + FreePorts.next());
        Main main = MailGateway.newMain(properties);
        main.start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            URI unsubscribe = URI.create("http://127.0.0.1:" + port + "/unsubscribe?token=not-a-token");
            HttpResponse<String> post = http.send(HttpRequest.newBuilder(unsubscribe).timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.ofString("List-Unsubscribe=One-Click")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).as("POST /unsubscribe with a malformed token").isEqualTo(400);
            HttpResponse<String> get = http.send(HttpRequest.newBuilder(unsubscribe).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(get.statusCode()).as("GET /unsubscribe").isEqualTo(405);
        } finally {
            main.stop();
        }
    }

    /** Every environment variable the gateway reads (application.properties, logging, the start-up code). */
    private static Set<String> gatewaySettings() throws IOException {
        List<Path> sources = new ArrayList<>(List.of(APPLICATION_PROPERTIES, Path.of("src/main/resources/log4j2.properties")));
        try (Stream<Path> java = Files.walk(Path.of("src/main/java"))) {
            java.filter(p -> p.toString().endsWith(".java")).forEach(sources::add);
        }
        Set<String> settings = new LinkedHashSet<>();
        for (Path source : sources) {
            String text = Files.readString(source);
            for (Pattern reader : SETTING_READERS) {
                Matcher setting = reader.matcher(text);
                while (setting.find()) {
                    settings.add(setting.group(1));
                }
            }
        }
        return settings;
    }

    /** The key in application.properties whose value is the given environment variable. */
    private static String propertyOf(String setting) throws IOException {
        for (String line : Files.readAllLines(APPLICATION_PROPERTIES)) {
            Matcher placeholder = ENV_PLACEHOLDER.matcher(line);
            if (!line.startsWith("#") && line.contains("=") && placeholder.find() && placeholder.group(1).equals(setting)) {
                return line.substring(0, line.indexOf('=')).trim();
            }
        }
        throw new AssertionError(setting + " is no setting in " + APPLICATION_PROPERTIES);
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
