package io.mailgateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.mailgateway.config.Topics;

/**
 * The gateway's KafkaUser grants exactly what the gateway does: every topic of {@link Topics} with the operations
 * the code performs on it, every consumer group the code joins, Describe for the start-up check, and nothing else.
 */
class GatewayKafkaUserComponentTest {

    static final Path COMPONENT = Kustomize.K8S.resolve("components/gateway-kafka-user");
    static final String GATEWAY_USER = "mail-gateway";
    private static final Path TOPICS_SOURCE = Path.of("src/main/java/io/mailgateway/config/Topics.java");
    private static final Path APPLICATION_PROPERTIES = Path.of("src/main/resources/application.properties");
    /** How the code names its other consumer groups after GATEWAY_GROUP_ID, e.g. topics.groupId() + ".retry". */
    private static final Pattern DERIVED_GROUP = Pattern.compile("groupId\\(\\)\\s*\\+\\s*\"([^\"]+)\"");
    private static final Pattern TOPIC_PROPERTY = Pattern.compile("\"(gateway\\.topic\\.[a-z-]+)\"");

    /**
     * The operations on the topic of each GATEWAY_TOPIC_* setting: what the code does there, Describe for the start-up
     * check (TopicCheck) and the lag metric, DescribeConfigs where that check reads the cleanup policy of a compacted
     * topic. A new topic setting fails the tests until its rights are decided here and granted in the component.
     */
    static final Map<String, Set<String>> TOPIC_OPERATIONS = Map.of(
            "GATEWAY_TOPIC_OUTBOUND", Set.of("Read", "Describe"),
            "GATEWAY_TOPIC_RESULTS", Set.of("Write", "Describe"),
            "GATEWAY_TOPIC_DLQ", Set.of("Write", "Describe"),
            "GATEWAY_TOPIC_RETRY", Set.of("Read", "Write", "Describe"),
            "GATEWAY_TOPIC_STATE", Set.of("Read", "Write", "Describe", "DescribeConfigs"),
            "GATEWAY_TOPIC_SUPPRESSIONS", Set.of("Read", "Write", "Describe", "DescribeConfigs"),
            // written after delivery, read back by the bounce mailbox lease
            "GATEWAY_TOPIC_EVENTS", Set.of("Read", "Write", "Describe"));
    /**
     * Every group: joined (Read), and described (GroupInstances counts the request group's members, the lag metric
     * and KEDA read its offsets); Describe on the others keeps the rights of all groups alike (Read implies it).
     */
    static final Set<String> GROUP_OPERATIONS = Set.of("Read", "Describe");

    private static List<ObjectNode> objects;
    private static Map<String, String> config;

    @BeforeAll
    static void render() {
        objects = Kustomize.renderBaseWith(COMPONENT);
        config = Kustomize.config(objects);
    }

    @Test
    void everyTopicOfTheGatewaysTopicsHasItsOperationsDecided() throws IOException {
        List<String> properties = new ArrayList<>();
        Matcher property = TOPIC_PROPERTY.matcher(Files.readString(TOPICS_SOURCE));
        while (property.find()) {
            properties.add(property.group(1));
        }
        long topicComponents = Arrays.stream(Topics.class.getRecordComponents())
                .filter(c -> !c.getName().equals("groupId")).count();
        assertThat(properties).as("Topics reads one gateway.topic.* key per topic").hasSize((int) topicComponents);

        Set<String> settings = new TreeSet<>();
        for (String name : properties) {
            settings.add(environmentVariableOf(name));
        }
        assertThat(settings).isEqualTo(new TreeSet<>(TOPIC_OPERATIONS.keySet()));
        assertThat(config.keySet()).as("the base ConfigMap names every topic").containsAll(settings);
    }

    @Test
    void grantsExactlyTheTopicsAndGroupsTheGatewayUses() throws IOException {
        Map<String, Set<String>> expected = new TreeMap<>();
        TOPIC_OPERATIONS.forEach((setting, operations) -> expected.put("topic " + config.get(setting), new TreeSet<>(operations)));
        for (String group : consumerGroups(config)) {
            expected.put("group " + group, new TreeSet<>(GROUP_OPERATIONS));
        }

        assertThat(new TreeMap<>(acls(user(objects)))).isEqualTo(expected);
    }

    @Test
    void grantsOnlyLiteralAllowRulesAndLogsInWithScram() {
        ObjectNode user = user(objects);
        assertThat(user.path("spec").path("authentication").path("type").asText()).isEqualTo("scram-sha-512");
        assertThat(user.path("spec").path("authorization").path("type").asText()).isEqualTo("simple");
        for (JsonNode acl : user.path("spec").path("authorization").path("acls")) {
            // a prefix or wildcard would reach topics of other applications
            assertThat(acl.path("resource").path("patternType").asText("literal")).as("%s", acl).isEqualTo("literal");
            assertThat(acl.path("type").asText("allow")).as("%s", acl).isEqualTo("allow");
            assertThat(acl.path("host").asText("*")).as("%s", acl).isEqualTo("*");
        }
    }

    @Test
    void theUserIsDefinedOnceAcrossAllComponents() {
        long definitions = Kustomize.components().stream()
                .flatMap(c -> Kustomize.renderBaseWith(c).stream())
                .filter(o -> "KafkaUser".equals(o.path("kind").asText()))
                .filter(o -> GATEWAY_USER.equals(o.path("metadata").path("name").asText())).count();
        assertThat(definitions).isEqualTo(1);
    }

    /** GATEWAY_GROUP_ID, and the groups the code names after it. */
    static Set<String> consumerGroups(Map<String, String> config) throws IOException {
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
        assertThat(groups).as("the request group and the groups named after it").hasSizeGreaterThan(1);
        return groups;
    }

    static ObjectNode user(List<ObjectNode> objects) {
        return Kustomize.named(objects, "KafkaUser", GATEWAY_USER)
                .orElseThrow(() -> new AssertionError("no KafkaUser " + GATEWAY_USER));
    }

    /** "topic NAME" or "group NAME" to the operations allowed there. */
    static Map<String, Set<String>> acls(ObjectNode user) {
        Map<String, Set<String>> acls = new LinkedHashMap<>();
        for (JsonNode acl : user.path("spec").path("authorization").path("acls")) {
            String resource = acl.path("resource").path("type").asText() + " " + acl.path("resource").path("name").asText();
            Set<String> operations = acls.computeIfAbsent(resource, r -> new TreeSet<>());
            acl.path("operations").forEach(o -> operations.add(o.asText()));
        }
        return acls;
    }

    private static String environmentVariableOf(String property) throws IOException {
        Pattern line = Pattern.compile("^" + Pattern.quote(property) + "\\s*=\\s*\\{\\{env:([A-Z0-9_]+):", Pattern.MULTILINE);
        Matcher matcher = line.matcher(Files.readString(APPLICATION_PROPERTIES));
        assertThat(matcher.find()).as("%s is set from an environment variable", property).isTrue();
        return matcher.group(1);
    }
}
