package io.mailgateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The gateway's pods may reach what the gateway talks to (DNS, Kafka, relays, the profile service), and only
 * Prometheus's namespace may reach their management port.
 */
class NetworkPolicyTest {

    /** The ports the relays file and SMTP_PORT may name that the base policy allows; docs say the same. */
    private static final Set<Integer> RELAY_PORTS = Set.of(25, 465, 587, 2525);
    private static final int HTTPS = 443;
    private static final String MONITORING_NAMESPACE = "monitoring";
    private static final Pattern PORT_LINE = Pattern.compile("^\\s*port:\\s*(\\d+)", Pattern.MULTILINE);

    static Stream<Arguments> renderings() {
        List<Arguments> renderings = new ArrayList<>();
        Kustomize.overlays().forEach(o -> renderings.add(Arguments.of("overlay " + o.getFileName(), Kustomize.render(o))));
        Kustomize.components().forEach(c ->
                renderings.add(Arguments.of("base + component " + c.getFileName(), Kustomize.renderBaseWith(c))));
        return renderings.stream();
    }

    static Stream<Arguments> overlays() {
        return Kustomize.overlays().stream().map(o -> Arguments.of(o.getFileName().toString(), Kustomize.render(o)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renderings")
    void onlyTheMonitoringNamespaceReachesTheManagementPort(String name, List<ObjectNode> objects) {
        int managementPort = managementPort(objects);
        List<JsonNode> rules = new ArrayList<>();
        gatewayPolicies(objects).forEach(p -> p.path("spec").path("ingress").forEach(rules::add));
        assertThat(rules).as(name).isNotEmpty();

        for (JsonNode rule : rules) {
            boolean reachesManagement = !rule.has("ports") || ports(rule, objects).contains(managementPort);
            if (!reachesManagement) {
                continue;
            }
            assertThat(rule.path("from")).as("%s: who may reach the management port", name).isNotEmpty().allSatisfy(peer -> {
                assertThat(peer.has("ipBlock")).as("%s: %s", name, peer).isFalse();
                assertThat(peer.path("namespaceSelector").path("matchLabels").path("kubernetes.io/metadata.name").asText())
                        .as("%s: %s", name, peer).isEqualTo(MONITORING_NAMESPACE);
            });
            assertThat(ports(rule, objects)).as("%s: the monitoring rule opens the management port only", name)
                    .containsOnly(managementPort);
        }
    }

    @ParameterizedTest(name = "overlay {0}")
    @MethodSource("overlays")
    void podsMayReachDnsKafkaTheRelaysAndTheProfileService(String name, List<ObjectNode> objects) {
        Map<String, String> config = Kustomize.config(objects);
        Set<String> allowed = egress(objects);

        assertThat(allowed).as("%s: DNS", name).contains("UDP 53", "TCP 53");
        for (String server : config.get("KAFKA_BOOTSTRAP_SERVERS").split(",")) {
            assertThat(allowed).as("%s: Kafka at %s", name, server).contains("TCP " + server.substring(server.lastIndexOf(':') + 1));
        }
        RELAY_PORTS.forEach(port -> assertThat(allowed).as("%s: relays on port %d", name, port).contains("TCP " + port));
        assertThat(allowed).as("%s: the profile service over HTTPS", name).contains("TCP " + HTTPS);
        String profileUrl = config.getOrDefault("GATEWAY_PROFILE_URL", "");
        if (!profileUrl.isBlank()) {
            URI profile = URI.create(profileUrl);
            int port = profile.getPort() == -1 ? ("https".equals(profile.getScheme()) ? HTTPS : 80) : profile.getPort();
            assertThat(allowed).as("%s: GATEWAY_PROFILE_URL %s", name, profileUrl).contains("TCP " + port);
        }
    }

    @Test
    void everyPortOfTheRelaysExampleIsAllowed() throws IOException {
        Set<String> allowed = egress(Kustomize.render(Kustomize.K8S.resolve("base")));
        Matcher port = PORT_LINE.matcher(Files.readString(Path.of("docs/examples/relays.yaml")));
        Set<Integer> ports = new TreeSet<>();
        while (port.find()) {
            ports.add(Integer.parseInt(port.group(1)));
        }

        assertThat(ports).isNotEmpty().allSatisfy(p -> assertThat(allowed).contains("TCP " + p));
    }

    private static List<JsonNode> gatewayPolicies(List<ObjectNode> objects) {
        String name = Kustomize.named(objects, "Deployment", "mail-gateway").orElseThrow().path("spec").path("template")
                .path("metadata").path("labels").path("app.kubernetes.io/name").asText();
        return objects.stream().filter(o -> "NetworkPolicy".equals(o.path("kind").asText()))
                .filter(o -> name.equals(o.path("spec").path("podSelector").path("matchLabels")
                        .path("app.kubernetes.io/name").asText()))
                .map(o -> (JsonNode) o).toList();
    }

    /** "PROTOCOL PORT" for each egress port the gateway's policies allow. */
    private static Set<String> egress(List<ObjectNode> objects) {
        Set<String> allowed = new TreeSet<>();
        gatewayPolicies(objects).forEach(p -> p.path("spec").path("egress").forEach(rule -> rule.path("ports")
                .forEach(port -> allowed.add(port.path("protocol").asText("TCP") + " " + port.path("port").asText()))));
        return allowed;
    }

    private static Set<Integer> ports(JsonNode rule, List<ObjectNode> objects) {
        Set<Integer> ports = new TreeSet<>();
        rule.path("ports").forEach(port -> ports.add(containerPort(port.path("port"), objects)));
        return ports;
    }

    private static int managementPort(List<ObjectNode> objects) {
        return containerPort(Kustomize.named(objects, "Service", "mail-gateway").orElseThrow()
                .path("spec").path("ports").get(0).path("targetPort"), objects);
    }

    private static int containerPort(JsonNode port, List<ObjectNode> objects) {
        if (port.isInt()) {
            return port.asInt();
        }
        JsonNode container = Kustomize.named(objects, "Deployment", "mail-gateway").orElseThrow()
                .path("spec").path("template").path("spec").path("containers").get(0);
        for (JsonNode declared : container.path("ports")) {
            if (port.asText().equals(declared.path("name").asText())) {
                return declared.path("containerPort").asInt();
            }
        }
        throw new AssertionError("no container port named " + port.asText());
    }
}
