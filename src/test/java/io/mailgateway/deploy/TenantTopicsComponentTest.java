package io.mailgateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.mailgateway.tenant.Tenants;

/**
 * The tenant-topics component binds each tenant of its tenants file to a KafkaTopic that only the tenant's producer
 * may write to, and gives the gateway's KafkaUser every right the gateway's settings and code call for, and no other.
 */
class TenantTopicsComponentTest {

    private static final Path COMPONENT = Kustomize.K8S.resolve("components/tenant-topics");
    private static final String GATEWAY_USER = "mail-gateway";
    /** How the code names its other consumer groups after GATEWAY_GROUP_ID, e.g. topics.groupId() + ".retry". */
    private static final Pattern DERIVED_GROUP = Pattern.compile("groupId\\(\\)\\s*\\+\\s*\"([^\"]+)\"");
    /**
     * What the gateway does with the topic of each GATEWAY_TOPIC_* setting (Describe comes on top, for the start-up
     * checks). A new topic setting fails the test until its rights are decided here and granted in the component.
     */
    private static final Map<String, Set<String>> TOPIC_USES = Map.of(
            "GATEWAY_TOPIC_OUTBOUND", Set.of("Read"),
            "GATEWAY_TOPIC_RESULTS", Set.of("Write"),
            "GATEWAY_TOPIC_DLQ", Set.of("Write"),
            "GATEWAY_TOPIC_RETRY", Set.of("Read", "Write"),
            "GATEWAY_TOPIC_STATE", Set.of("Read", "Write"),
            "GATEWAY_TOPIC_SUPPRESSIONS", Set.of("Read", "Write"),
            // written after delivery, read back by the bounce mailbox lease
            "GATEWAY_TOPIC_EVENTS", Set.of("Read", "Write"));

    private static List<ObjectNode> objects;
    private static Map<String, String> config;
    private static Map<String, String> topicByTenant;

    @BeforeAll
    static void render() throws IOException {
        objects = Kustomize.renderBaseWith(COMPONENT);
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
    void gatewayMayUseEveryTopicItsSettingsName() {
        Map<String, Set<String>> acls = acls(user(GATEWAY_USER));
        Set<String> topicSettings = new TreeSet<>();
        config.keySet().stream().filter(k -> k.startsWith("GATEWAY_TOPIC_")).forEach(topicSettings::add);
        assertThat(topicSettings).as("every topic setting has its uses decided").isEqualTo(new TreeSet<>(TOPIC_USES.keySet()));

        for (String setting : topicSettings) {
            String topic = config.get(setting);
            assertThat(acls.get("topic " + topic)).as("the gateway's rights on %s (%s)", topic, setting)
                    .isNotNull().contains("Describe").containsAll(TOPIC_USES.get(setting));
        }
    }

    @Test
    void gatewayMayReadEveryTenantsRequestTopic() {
        Map<String, Set<String>> acls = acls(user(GATEWAY_USER));
        topicByTenant.forEach((tenant, topic) -> assertThat(acls.get("topic " + topic))
                .as("the gateway's rights on %s of tenant %s", topic, tenant).isNotNull().contains("Read", "Describe"));
    }

    @Test
    void gatewayMayJoinEveryConsumerGroupItUses() throws IOException {
        Map<String, Set<String>> acls = acls(user(GATEWAY_USER));
        Set<String> groups = consumerGroups();
        assertThat(groups).as("the request group and the groups named after it").hasSizeGreaterThan(1);
        for (String group : groups) {
            assertThat(acls.get("group " + group)).as("the gateway's rights on group %s", group).isNotNull().contains("Read");
        }
    }

    @Test
    void gatewayIsGrantedNothingItDoesNotUse() throws IOException {
        Set<String> used = new LinkedHashSet<>();
        TOPIC_USES.keySet().forEach(setting -> used.add("topic " + config.get(setting)));
        topicByTenant.values().forEach(topic -> used.add("topic " + topic));
        consumerGroups().forEach(group -> used.add("group " + group));

        for (JsonNode acl : user(GATEWAY_USER).path("spec").path("authorization").path("acls")) {
            assertThat(acl.path("resource").path("patternType").asText("literal")).as("%s", acl).isEqualTo("literal");
            assertThat(acl.path("type").asText("allow")).as("%s", acl).isEqualTo("allow");
        }
        acls(user(GATEWAY_USER)).forEach((resource, operations) -> {
            assertThat(used).as("the gateway uses %s", resource).contains(resource);
            // no creating, deleting or reconfiguring topics, and no writing requests
            assertThat(operations).as(resource).isSubsetOf("Read", "Write", "Describe", "DescribeConfigs");
            if (topicByTenant.containsValue(resource.substring("topic ".length()))
                    || resource.equals("topic " + config.get("GATEWAY_TOPIC_OUTBOUND"))) {
                assertThat(operations).as("the gateway never writes requests to %s", resource).doesNotContain("Write");
            }
        });
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

    /** GATEWAY_GROUP_ID, and the groups the code names after it. */
    private static Set<String> consumerGroups() throws IOException {
        String groupId = config.get("GATEWAY_GROUP_ID");
        assertThat(groupId).as("GATEWAY_GROUP_ID").isNotBlank();
        Set<String> groups = new TreeSet<>(List.of(groupId));
        List<Path> sources = new ArrayList<>();
        try (Stream<Path> java = Files.walk(Path.of("src/main/java"))) {
            java.filter(p -> p.toString().endsWith(".java")).forEach(sources::add);
        }
        for (Path source : sources) {
            Matcher derived = DERIVED_GROUP.matcher(Files.readString(source));
            while (derived.find()) {
                groups.add(groupId + derived.group(1));
            }
        }
        return groups;
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
