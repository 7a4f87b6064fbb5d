package io.mailgateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The autoscalers own the replica count, KEDA reads the lag where the gateway consumes and scales in slowly, and
 * node drains are never held up by pods that are not ready.
 */
class AutoscalingTest {

    private static final Path PROD = Kustomize.K8S.resolve("overlays/prod");
    private static final Path KEDA = Kustomize.K8S.resolve("components/keda");
    private static final Path TENANT_TOPICS = Kustomize.K8S.resolve("components/tenant-topics");

    /** Every overlay, the base with each component, and the combinations users are told to make. */
    static Stream<Arguments> renderings() {
        List<Arguments> renderings = new ArrayList<>();
        Kustomize.overlays().forEach(o -> renderings.add(Arguments.of("overlay " + o.getFileName(), Kustomize.render(o))));
        Kustomize.components().forEach(c ->
                renderings.add(Arguments.of("base + component " + c.getFileName(), Kustomize.renderBaseWith(c))));
        renderings.add(Arguments.of("base + keda + tenant-topics",
                Kustomize.renderBaseWith("keda-tenant-topics", Map.of(), List.of(KEDA, TENANT_TOPICS))));
        renderings.add(Arguments.of("overlay prod + tenant-topics", prodWithTenantTopics()));
        return renderings.stream();
    }

    static Stream<Arguments> scaledObjects() {
        return renderings().filter(r -> Kustomize.named(objects(r), "ScaledObject", "mail-gateway").isPresent());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renderings")
    void deploymentLeavesTheReplicaCountToItsAutoscaler(String name, List<ObjectNode> objects) {
        boolean autoscaled = objects.stream()
                .filter(o -> List.of("HorizontalPodAutoscaler", "ScaledObject").contains(o.path("kind").asText()))
                .anyMatch(o -> "mail-gateway".equals(o.path("spec").path("scaleTargetRef").path("name").asText()));
        ObjectNode deployment = Kustomize.named(objects, "Deployment", "mail-gateway").orElseThrow();

        if (autoscaled) {
            // every kubectl apply would reset the autoscaler's count and rebalance the consumer group
            assertThat(deployment.path("spec").has("replicas")).as("%s: spec.replicas of an autoscaled Deployment", name)
                    .isFalse();
        }
    }

    @Test
    void baseDeploymentSetsNoReplicas() {
        // the base is under every autoscaled overlay
        assertThat(Kustomize.named(Kustomize.render(Kustomize.K8S.resolve("base")), "Deployment", "mail-gateway")
                .orElseThrow().path("spec").has("replicas")).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scaledObjects")
    void kedaReadsTheLagOfTheGatewaysClusterAndGroupByAFullyQualifiedAddress(String name, List<ObjectNode> objects) {
        Map<String, String> config = Kustomize.config(objects);
        JsonNode trigger = trigger(objects);

        assertThat(trigger.path("bootstrapServers").asText()).as("%s: the trigger's Kafka", name)
                .isEqualTo(config.get("KAFKA_BOOTSTRAP_SERVERS"));
        assertThat(trigger.path("consumerGroup").asText()).as("%s: the trigger's group", name)
                .isEqualTo(config.get("GATEWAY_GROUP_ID"));
        // the KEDA operator resolves a short name in its own namespace, not the gateway's
        for (String server : trigger.path("bootstrapServers").asText().split(",")) {
            assertThat(server.substring(0, server.lastIndexOf(':'))).as("%s: %s is SERVICE.NAMESPACE.svc or a DNS name",
                    name, server).matches("[^.]+\\.[^.]+\\..+");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scaledObjects")
    void kedaScalesInSlowlyThroughTheHorizontalPodAutoscalersBehaviour(String name, List<ObjectNode> objects) {
        JsonNode spec = Kustomize.named(objects, "ScaledObject", "mail-gateway").orElseThrow().path("spec");
        JsonNode scaleDown = spec.path("advanced").path("horizontalPodAutoscalerConfig").path("behavior").path("scaleDown");

        // cooldownPeriod only applies to scaling to zero, which the gateway never does
        assertThat(spec.path("minReplicaCount").asInt(0)).as(name).isPositive();
        assertThat(spec.has("cooldownPeriod")).as("%s: cooldownPeriod, which would not slow scale-in", name).isFalse();
        assertThat(scaleDown.path("stabilizationWindowSeconds").asInt()).as(name).isGreaterThanOrEqualTo(300);
        assertThat(scaleDown.path("policies")).as(name).isNotEmpty().allSatisfy(policy -> {
            assertThat(policy.path("type").asText()).isEqualTo("Pods");
            assertThat(policy.path("value").asInt()).as("pods removed at once").isEqualTo(1);
        });
    }

    @Test
    void prodsTriggerSettingsAndTenantTopicsAllTopicsLagBothApply() {
        JsonNode prod = Kustomize.named(Kustomize.render(PROD), "ScaledObject", "mail-gateway").orElseThrow().path("spec");
        JsonNode combined = Kustomize.named(prodWithTenantTopics(), "ScaledObject", "mail-gateway").orElseThrow()
                .path("spec");

        assertThat(prod.path("triggers").get(0).path("metadata").path("topic").asText())
                .isEqualTo(Kustomize.config(Kustomize.render(PROD)).get("GATEWAY_TOPIC_OUTBOUND"));
        for (JsonNode spec : List.of(prod, combined)) {
            JsonNode trigger = spec.path("triggers").get(0);
            assertThat(spec.path("minReplicaCount").asInt()).isEqualTo(2);
            assertThat(trigger.path("metadata").path("sasl").asText()).isEqualTo("scram_sha512");
            assertThat(trigger.path("metadata").path("tls").asText()).isEqualTo("enable");
            assertThat(trigger.path("authenticationRef").path("name").asText()).isEqualTo("mail-gateway-kafka");
        }
        // tenant-topics removes the topic so that KEDA sums the lag of every topic the group reads
        assertThat(combined.path("triggers").get(0).path("metadata").has("topic")).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renderings")
    void podsThatAreNotReadyMayBeEvictedSoDrainsNeverHang(String name, List<ObjectNode> objects) {
        ObjectNode budget = Kustomize.named(objects, "PodDisruptionBudget", "mail-gateway").orElseThrow();

        assertThat(budget.path("spec").path("unhealthyPodEvictionPolicy").asText()).as(name).isEqualTo("AlwaysAllow");
    }

    private static List<ObjectNode> prodWithTenantTopics() {
        return Kustomize.renderOverlayWith(PROD, List.of(TENANT_TOPICS));
    }

    private static JsonNode trigger(List<ObjectNode> objects) {
        return Kustomize.named(objects, "ScaledObject", "mail-gateway").orElseThrow()
                .path("spec").path("triggers").get(0).path("metadata");
    }

    @SuppressWarnings("unchecked")
    private static List<ObjectNode> objects(Arguments arguments) {
        return (List<ObjectNode>) arguments.get()[1];
    }
}
