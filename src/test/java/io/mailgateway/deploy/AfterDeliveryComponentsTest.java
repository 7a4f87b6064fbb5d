package io.mailgateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/**
 * The manifests for DKIM signing, bounce intake and delivery events put keys, secrets and topics exactly where the
 * gateway's settings say they are.
 */
class AfterDeliveryComponentsTest {

    private static final Path EXAMPLE_SECRETS = Kustomize.K8S.resolve("examples/secrets.example.yaml");
    /** What an overlay's config.env sets for the bounces component (which sets no value of the ConfigMap itself). */
    private static final Map<String, String> BOUNCE_SETTINGS = Map.of(
            "GATEWAY_BOUNCE_DOMAIN", "bounces.example.com",
            "GATEWAY_BOUNCE_MAILBOX_URL", "imaps://imap.example.net:993/INBOX",
            "GATEWAY_BOUNCE_MAILBOX_USERNAME", "bounces@example.com");

    @Test
    void everyDkimSecretIsMountedAsOneDomainFolderOfTheKeysDirectory() {
        Pod pod = Pod.of(Kustomize.renderBaseWith(Kustomize.K8S.resolve("components/dkim")));
        Path keysDir = Path.of(pod.setting("GATEWAY_DKIM_KEYS_DIR"));

        Map<String, JsonNode> dkimMounts = new LinkedHashMap<>();
        pod.mounts().forEach((path, volume) -> {
            if (volume.path("secret").path("secretName").asText().startsWith("mail-gateway-dkim-")) {
                dkimMounts.put(path, volume);
            }
        });
        assertThat(dkimMounts).as("DKIM key Secrets are mounted").isNotEmpty();
        dkimMounts.forEach((path, volume) -> {
            // the gateway reads KEYS_DIR/DOMAIN/SELECTOR.pem: each Secret is one domain folder, right below it
            assertThat(Path.of(path).getParent()).as("%s lies directly in GATEWAY_DKIM_KEYS_DIR", path).isEqualTo(keysDir);
            // with "items" a selector added to the Secret later would never reach the pod
            assertThat(volume.path("secret").has("items")).as("%s mounts every key of its Secret", path).isFalse();
        });
    }

    @Test
    void exampleDkimSecretHoldsOneSelectorKeyAsPemForTheMountedDomain() {
        Pod pod = Pod.of(Kustomize.renderBaseWith(Kustomize.K8S.resolve("components/dkim")));
        Path keysDir = Path.of(pod.setting("GATEWAY_DKIM_KEYS_DIR"));
        List<ObjectNode> examples = Kustomize.read(EXAMPLE_SECRETS);

        pod.mounts().forEach((path, volume) -> {
            String secretName = volume.path("secret").path("secretName").asText();
            if (!secretName.startsWith("mail-gateway-dkim-")) {
                return;
            }
            String domain = keysDir.relativize(Path.of(path)).toString();
            assertThat(secretName).as("the Secret is named after the domain it signs for")
                    .isEqualTo("mail-gateway-dkim-" + domain.replace('.', '-'));
            ObjectNode example = Kustomize.named(examples, "Secret", secretName).orElseThrow();
            List<String> keys = new ArrayList<>();
            example.path("stringData").fieldNames().forEachRemaining(keys::add);
            assertThat(keys).isNotEmpty().allSatisfy(key -> assertThat(key).matches("[A-Za-z0-9-]+\\.pem"));
        });
    }

    @Test
    void bounceSecretAndMailboxPasswordAreTheMountedSecretsKeys() {
        Pod pod = Pod.of(withBounces());
        ObjectNode example = Kustomize.named(Kustomize.read(EXAMPLE_SECRETS), "Secret", "mail-gateway-bounces")
                .orElseThrow();

        for (String setting : List.of("GATEWAY_BOUNCE_SECRET_FILE", "GATEWAY_BOUNCE_MAILBOX_PASSWORD_FILE")) {
            Path file = Path.of(pod.setting(setting));
            JsonNode volume = pod.mounts().get(file.getParent().toString());
            assertThat(volume).as("%s=%s lies in a mounted folder", setting, file).isNotNull();
            JsonNode secret = volume.path("secret");
            assertThat(secret.path("secretName").asText()).as("%s=%s is mounted from the Secret", setting, file)
                    .isEqualTo("mail-gateway-bounces");
            Map<String, String> keyByPath = new LinkedHashMap<>();
            secret.path("items").forEach(item -> keyByPath.put(item.path("path").asText(), item.path("key").asText()));
            String key = keyByPath.get(file.getFileName().toString());
            assertThat(key).as("%s=%s is one of the Secret's keys", setting, file).isNotNull();
            assertThat(example.path("stringData").has(key)).as("the example Secret has the key %s", key).isTrue();
        }
        assertThat(pod.setting("GATEWAY_BOUNCE_DOMAIN")).isNotBlank();
        assertThat(pod.setting("GATEWAY_BOUNCE_MAILBOX_USERNAME")).isNotBlank();
    }

    @Test
    void podsMayReachTheBounceMailboxOnThePortOfItsUrl() {
        List<ObjectNode> objects = withBounces();
        URI mailbox = URI.create(Pod.of(objects).setting("GATEWAY_BOUNCE_MAILBOX_URL"));
        int port = mailbox.getPort() == -1 ? 993 : mailbox.getPort();

        assertThat(mailbox.getScheme()).as("the mailbox is read over TLS").isEqualTo("imaps");
        List<Integer> egressPorts = new ArrayList<>();
        objects.stream().filter(o -> "NetworkPolicy".equals(o.path("kind").asText()))
                .forEach(policy -> policy.path("spec").path("egress")
                        .forEach(rule -> rule.path("ports").forEach(p -> egressPorts.add(p.path("port").asInt()))));
        assertThat(egressPorts).contains(port);
    }

    @Test
    void everyTopicOfTheSettingsIsAStrimziTopicAndAnAclOfTheGatewaysKafkaUser() {
        List<ObjectNode> topics = Kustomize.renderBaseWith(Kustomize.K8S.resolve("components/strimzi-topics"));
        Pod pod = Pod.of(topics);
        Map<String, Set<String>> acls = GatewayKafkaUserComponentTest.acls(GatewayKafkaUserComponentTest.user(
                Kustomize.renderBaseWith(GatewayKafkaUserComponentTest.COMPONENT)));

        List<String> names = pod.config.entrySet().stream().filter(e -> e.getKey().startsWith("GATEWAY_TOPIC_"))
                .map(Map.Entry::getValue).toList();
        assertThat(names).contains("mail.events");
        for (String name : names) {
            assertThat(Kustomize.named(topics, "KafkaTopic", name)).as("KafkaTopic %s", name).isPresent();
            assertThat(acls).as("components/gateway-kafka-user grants the gateway %s", name).containsKey("topic " + name);
        }
    }

    private static List<ObjectNode> withBounces() {
        return Kustomize.renderBaseWith("bounces-with-settings", BOUNCE_SETTINGS,
                List.of(Kustomize.K8S.resolve("components/bounces")));
    }

    /** The gateway's container in one rendering: its settings (env over ConfigMap) and its mounts. */
    private record Pod(JsonNode spec, JsonNode container, Map<String, String> config) {

        static Pod of(List<ObjectNode> objects) {
            JsonNode spec = Kustomize.find(objects, "Deployment", "mail-gateway").orElseThrow()
                    .path("spec").path("template").path("spec");
            JsonNode container = spec.path("containers").get(0);
            Map<String, String> config = new LinkedHashMap<>();
            ObjectNode configMap = Kustomize.find(objects, "ConfigMap", "mail-gateway-config").orElseThrow();
            configMap.path("data").fields().forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
            return new Pod(spec, container, config);
        }

        String setting(String name) {
            for (JsonNode variable : container.path("env")) {
                if (name.equals(variable.path("name").asText()) && variable.has("value")) {
                    return variable.path("value").asText();
                }
            }
            return config.getOrDefault(name, "");
        }

        Map<String, JsonNode> mounts() {
            Map<String, JsonNode> volumes = new LinkedHashMap<>();
            spec.path("volumes").forEach(v -> volumes.put(v.path("name").asText(), v));
            Map<String, JsonNode> mounts = new LinkedHashMap<>();
            container.path("volumeMounts").forEach(m -> mounts.put(m.path("mountPath").asText(),
                    volumes.get(m.path("name").asText())));
            return mounts;
        }
    }
}
