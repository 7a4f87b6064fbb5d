package io.mailgateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.mailgateway.tenant.Tenants;

/**
 * The tenant-topics component binds each tenant of its tenants file to a KafkaTopic that only the tenant's producer
 * may write to, and lets the gateway's KafkaUser (components/gateway-kafka-user) read each of them, and no more.
 */
class TenantTopicsComponentTest {

    private static final Path COMPONENT = Kustomize.K8S.resolve("components/tenant-topics");
    private static final String GATEWAY_USER = GatewayKafkaUserComponentTest.GATEWAY_USER;

    private static List<ObjectNode> objects;
    private static Map<String, String> config;
    private static Map<String, String> topicByTenant;

    @BeforeAll
    static void render() throws IOException {
        // as users are told to list them: the gateway's KafkaUser, then this component
        objects = Kustomize.renderBaseWith("gateway-kafka-user-tenant-topics", Map.of(),
                List.of(GatewayKafkaUserComponentTest.COMPONENT, COMPONENT));
        config = new LinkedHashMap<>();
        Kustomize.find(objects, "ConfigMap", "mail-gateway-config").orElseThrow().path("data").fields()
                .forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
        // Read by the gateway's own reader, so the component's file passes the schema and the start-up checks.
        Path tenantsFile = Files.createTempFile("tenants", ".yaml");
        try {
            Files.writeString(tenantsFile, Kustomize.find(objects, "ConfigMap", "mail-gateway-tenants").orElseThrow()
                    .path("data").path("tenants.yaml").asText());
            List<String> gatewayTopics = config.entrySet().stream().filter(e -> e.getKey().startsWith("GATEWAY_TOPIC_"))
                    .map(Map.Entry::getValue).toList();
            Tenants tenants = Tenants.load(tenantsFile, config.get("GATEWAY_TOPIC_OUTBOUND"), gatewayTopics);
            assertThat(tenants.topicBound()).as("the component's tenants file binds tenants to topics").isTrue();
            topicByTenant = new LinkedHashMap<>();
            tenants.all().forEach(tenant -> topicByTenant.put(tenant.id(), tenant.topic()));
        } finally {
            Files.delete(tenantsFile);
        }
    }

    @Test
    void everyTenantOfTheTenantsFileHasItsOwnRequestTopic() {
        assertThat(topicByTenant).as("tenants of the component's tenants file").isNotEmpty();
        topicByTenant.forEach((tenant, topic) -> {
            assertThat(topic).as("tenant %s is bound to a topic (topic-bound mode)", tenant).isNotNull()
                    .matches("[A-Za-z0-9._-]+").isNotEqualTo(config.get("GATEWAY_TOPIC_OUTBOUND"));
            assertThat(Kustomize.named(objects, "KafkaTopic", topic)).as("KafkaTopic %s of tenant %s", topic, tenant)
                    .isPresent();
        });
        assertThat(Set.copyOf(topicByTenant.values())).as("no two tenants share a topic").hasSize(topicByTenant.size());
    }

    @Test
    void tenantTopicsAreKeptLikeTheSharedRequestTopic() {
        List<ObjectNode> shared = Kustomize.renderBaseWith(Kustomize.K8S.resolve("components/strimzi-topics"));
        JsonNode sharedSpec = Kustomize.named(shared, "KafkaTopic", config.get("GATEWAY_TOPIC_OUTBOUND")).orElseThrow()
                .path("spec");
        for (String topic : topicByTenant.values()) {
            // the same size limit (requests up to GATEWAY_MAX_REQUEST_BYTES), partitions and retention
            assertThat(Kustomize.named(objects, "KafkaTopic", topic).orElseThrow().path("spec")).as(topic)
                    .isEqualTo(sharedSpec);
        }
    }

    @Test
    void gatewayMayReadEveryTenantsRequestTopic() {
        Map<String, Set<String>> acls = acls(user(GATEWAY_USER));
        topicByTenant.forEach((tenant, topic) -> assertThat(acls.get("topic " + topic))
                .as("the gateway's rights on %s of tenant %s", topic, tenant).isNotNull().contains("Read", "Describe"));
    }

    @Test
    void gatewayIsGrantedItsOwnTopicsAndGroupsAndReadOnEachTenantsTopicOnly() throws IOException {
        Map<String, Set<String>> granted = new TreeMap<>(acls(user(GATEWAY_USER)));
        Map<String, Set<String>> own = GatewayKafkaUserComponentTest.acls(
                GatewayKafkaUserComponentTest.user(Kustomize.renderBaseWith(GatewayKafkaUserComponentTest.COMPONENT)));
        topicByTenant.values().forEach(topic -> own.put("topic " + topic, new TreeSet<>(Set.of("Read", "Describe"))));

        assertThat(granted).isEqualTo(new TreeMap<>(own));
        assertThat(GatewayKafkaUserComponentTest.consumerGroups(config)).allSatisfy(group ->
                assertThat(granted).containsKey("group " + group));
    }

    @Test
    void eachTenantsProducerMayWriteAndDescribeItsTenantsTopicAndNothingElse() {
        List<ObjectNode> producers = objects.stream().filter(o -> "KafkaUser".equals(o.path("kind").asText()))
                .filter(o -> !GATEWAY_USER.equals(o.path("metadata").path("name").asText())).toList();
        Set<String> producedTopics = new TreeSet<>();
        for (ObjectNode producer : producers) {
            String name = producer.path("metadata").path("name").asText();
            JsonNode acls = producer.path("spec").path("authorization").path("acls");
            assertThat(acls).as("ACLs of %s", name).hasSize(1);
            JsonNode acl = acls.get(0);
            assertThat(acl.path("type").asText("allow")).as(name).isEqualTo("allow");
            assertThat(acl.path("resource").path("type").asText()).as(name).isEqualTo("topic");
            assertThat(acl.path("resource").path("patternType").asText("literal")).as(name).isEqualTo("literal");
            assertThat(operations(acl)).as("%s's operations", name).containsExactlyInAnyOrder("Write", "Describe");
            String topic = acl.path("resource").path("name").asText();
            assertThat(topicByTenant).as("%s writes to a tenant's topic", name).containsValue(topic);
            assertThat(producedTopics.add(topic)).as("one producer per tenant topic: %s", topic).isTrue();
        }
        assertThat(producedTopics).as("every tenant has a producer").containsExactlyInAnyOrderElementsOf(topicByTenant.values());
    }

    @Test
    void everyUserLogsInWithScramLikeTheGatewaysKafkaSettings() {
        JsonNode env = Kustomize.find(Kustomize.renderBaseWith(Kustomize.K8S.resolve("components/kafka-sasl-ssl")),
                "Deployment", "mail-gateway").orElseThrow().path("spec").path("template").path("spec")
                .path("containers").get(0).path("env");
        String mechanism = null;
        for (JsonNode variable : env) {
            if ("KAFKA_SASL_MECHANISM".equals(variable.path("name").asText())) {
                mechanism = variable.path("value").asText();
            }
        }
        assertThat(mechanism).isEqualTo("SCRAM-SHA-512");
        objects.stream().filter(o -> "KafkaUser".equals(o.path("kind").asText())).forEach(user ->
                assertThat(user.path("spec").path("authentication").path("type").asText())
                        .as(user.path("metadata").path("name").asText()).isEqualTo("scram-sha-512"));
    }

    @Test
    void tenantsFileIsMountedWhereGatewayTenantsFileSays() {
        JsonNode pod = Kustomize.find(objects, "Deployment", "mail-gateway").orElseThrow().path("spec").path("template")
                .path("spec");
        JsonNode container = pod.path("containers").get(0);
        String file = null;
        for (JsonNode variable : container.path("env")) {
            if ("GATEWAY_TENANTS_FILE".equals(variable.path("name").asText())) {
                file = variable.path("value").asText();
            }
        }
        assertThat(file).as("GATEWAY_TENANTS_FILE").isNotNull();
        String folder = Path.of(file).getParent().toString();
        String fileName = Path.of(file).getFileName().toString();
        JsonNode mount = null;
        for (JsonNode m : container.path("volumeMounts")) {
            if (folder.equals(m.path("mountPath").asText())) {
                mount = m;
            }
        }
        assertThat(mount).as("a volume is mounted at %s", folder).isNotNull();
        String volumeName = mount.path("name").asText();
        JsonNode volume = null;
        for (JsonNode v : pod.path("volumes")) {
            if (volumeName.equals(v.path("name").asText())) {
                volume = v;
            }
        }
        assertThat(volume).as("volume %s", volumeName).isNotNull();
        String configMap = volume.path("configMap").path("name").asText();
        assertThat(configMap).startsWith("mail-gateway-tenants");
        JsonNode items = volume.path("configMap").path("items");
        assertThat(items).anySatisfy(item -> {
            assertThat(item.path("path").asText()).isEqualTo(fileName);
            assertThat(Kustomize.named(objects, "ConfigMap", configMap).orElseThrow().path("data")
                    .has(item.path("key").asText())).isTrue();
        });
    }

    @Test
    void kedaScalesOnTheLagOfTheTenantsTopicsToo() throws IOException {
        Path dir = Files.createDirectories(Path.of("target", "kustomize", "keda-with-tenant-topics"));
        Files.writeString(dir.resolve("kustomization.yaml"), String.join("\n",
                "apiVersion: kustomize.config.k8s.io/v1beta1",
                "kind: Kustomization",
                "resources:",
                "  - " + dir.toAbsolutePath().relativize(Kustomize.K8S.resolve("base").toAbsolutePath()),
                "components:",
                "  - " + dir.toAbsolutePath().relativize(Kustomize.K8S.resolve("components/keda").toAbsolutePath()),
                "  - " + dir.toAbsolutePath().relativize(COMPONENT.toAbsolutePath()),
                ""));
        JsonNode trigger = Kustomize.find(Kustomize.render(dir), "ScaledObject", "mail-gateway").orElseThrow()
                .path("spec").path("triggers").get(0).path("metadata");

        assertThat(trigger.path("consumerGroup").asText()).isEqualTo(config.get("GATEWAY_GROUP_ID"));
        // without a topic KEDA sums the lag of every topic the group reads: the shared one and each tenant's
        assertThat(trigger.has("topic")).as("the trigger is limited to one topic: %s", trigger.path("topic")).isFalse();
    }

    private static ObjectNode user(String name) {
        return Kustomize.named(objects, "KafkaUser", name).orElseThrow(() -> new AssertionError("no KafkaUser " + name));
    }

    /** "topic NAME" or "group NAME" to the operations allowed there. */
    private static Map<String, Set<String>> acls(ObjectNode user) {
        Map<String, Set<String>> acls = new LinkedHashMap<>();
        for (JsonNode acl : user.path("spec").path("authorization").path("acls")) {
            String resource = acl.path("resource").path("type").asText() + " " + acl.path("resource").path("name").asText();
            acls.computeIfAbsent(resource, r -> new TreeSet<>()).addAll(operations(acl));
        }
        return acls;
    }

    private static Set<String> operations(JsonNode acl) {
        Set<String> operations = new TreeSet<>();
        acl.path("operations").forEach(o -> operations.add(o.asText()));
        return operations;
    }
}
