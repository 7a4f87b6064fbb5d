package io.mailgateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * Each overlay's memory limit follows from a stated budget: the JVM takes a fixed share of the limit as its heap
 * (MaxRAMPercentage in the image), which must hold the heap the settings call for (README, "Memory"), and the rest
 * of the limit must hold everything outside the heap. The heap follows from the settings the container is given, by
 * the README's formula; the other numbers live here, in one place.
 */
class MemoryBudgetTest {

    private static final long MIB = 1024 * 1024;
    private static final Path APPLICATION_PROPERTIES = Path.of("src/main/resources/application.properties");
    /** Request ids completed within the idempotency window (7 days) that each overlay's instances remember. */
    private static final Map<String, Long> REQUEST_IDS_PER_WEEK = Map.of(
            "base", 1_000_000L,
            // a development cluster: a few hundred thousand requests a week
            "dev", 200_000L,
            // every instance follows mail.state in full: 5 million requests a week
            "prod", 5_000_000L);
    private static final Pattern ENV_PLACEHOLDER = Pattern.compile("\\{\\{env:([A-Z0-9_]+):([^}]*)}}");
    /**
     * Memory outside the heap, from Native Memory Tracking of the packaged gateway at rest with a 480 MiB heap
     * (metaspace and class space 52 MiB, code cache 15 MiB, 51 threads with 4.5 MiB of stacks, other and direct 8
     * MiB, symbols and arenas 17 MiB), with room for what load adds: the JIT fills the code cache, the SMTP pool and
     * consumers add threads, Kafka and the HTTP server use direct buffers.
     */
    private static final Map<String, Long> NON_HEAP_BUDGET_MIB = Map.of(
            "metaspace and class space", 64L,
            "code cache", 48L,
            "thread stacks: 100 threads x 256 KiB touched", 25L,
            "direct buffers and other NIO", 32L,
            "symbols, arenas, malloc", 32L);
    /** G1's remembered sets, card table and mark bitmap: measured 47 MiB for a 480 MiB heap, about a tenth. */
    private static final double GC_SHARE_OF_HEAP = 0.10;
    private static final Pattern HEAP_PERCENTAGE = Pattern.compile("-XX:MaxRAMPercentage=([0-9.]+)");
    private static final Pattern PROCESSORS = Pattern.compile("-XX:ActiveProcessorCount=(\\d+)");

    static Stream<Arguments> renderings() {
        List<Arguments> renderings = new ArrayList<>();
        renderings.add(Arguments.of("base", Kustomize.render(Kustomize.K8S.resolve("base"))));
        Kustomize.overlays().forEach(o -> renderings.add(Arguments.of(o.getFileName().toString(), Kustomize.render(o))));
        return renderings.stream();
    }

    @Test
    void everyOverlayHasAHeapBudget() {
        List<String> overlays = Kustomize.overlays().stream().map(o -> o.getFileName().toString()).toList();
        assertThat(new TreeSet<>(REQUEST_IDS_PER_WEEK.keySet())).containsAll(overlays);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renderings")
    void theLimitHoldsTheHeapBudgetInTheHeapAndTheRestOutsideIt(String name, List<ObjectNode> objects) throws IOException {
        JsonNode resources = container(objects).path("resources");
        long limit = bytes(resources.path("limits").path("memory").asText());
        long heapBudget = heapBudgetMiB(settings(objects), REQUEST_IDS_PER_WEEK.get(name));
        double heapShare = heapPercentage() / 100;
        long maxHeap = (long) (limit * heapShare);
        long nonHeap = NON_HEAP_BUDGET_MIB.values().stream().mapToLong(Long::longValue).sum() * MIB
                + (long) (GC_SHARE_OF_HEAP * maxHeap);

        assertThat(maxHeap / MIB).as("%s: the heap (%.0f %% of %d MiB) holds the heap budget", name, heapShare * 100,
                limit / MIB).isGreaterThanOrEqualTo(heapBudget);
        // the JVM may grow its heap to the maximum whatever the budget: the rest must fit beside that
        assertThat((limit - maxHeap) / MIB).as("%s: the limit beside the heap holds the non-heap budget", name)
                .isGreaterThanOrEqualTo(nonHeap / MIB);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renderings")
    void memoryRequestEqualsTheLimit(String name, List<ObjectNode> objects) {
        // a pod above its request is the first the kubelet evicts under memory pressure
        JsonNode resources = container(objects).path("resources");
        assertThat(bytes(resources.path("requests").path("memory").asText())).as(name)
                .isEqualTo(bytes(resources.path("limits").path("memory").asText()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renderings")
    void theJvmSeesTheCpusThePodIsGivenNotTheNodes(String name, List<ObjectNode> objects) {
        JsonNode container = container(objects);
        JsonNode resources = container.path("resources");
        String options = "";
        for (JsonNode variable : container.path("env")) {
            if ("JAVA_TOOL_OPTIONS".equals(variable.path("name").asText())) {
                options = variable.path("value").asText();
            }
        }
        if (resources.path("limits").has("cpu")) {
            return; // the JVM reads a CPU limit itself
        }
        Matcher processors = PROCESSORS.matcher(options);
        assertThat(processors.find()).as("%s: JAVA_TOOL_OPTIONS sets -XX:ActiveProcessorCount (no CPU limit)", name)
                .isTrue();
        double requested = cpus(resources.path("requests").path("cpu").asText());
        // at least 2: with one the JVM picks the Serial collector
        assertThat(Integer.parseInt(processors.group(1))).as(name)
                .isEqualTo(Math.max(2, (int) Math.ceil(requested)));
    }

    @Test
    void theDefaultSettingsNeedAbout430MiBBesideTheIdempotencyIndex() throws IOException {
        // the figure the README's "Memory" section gives for the defaults
        assertThat(heapBudgetMiB(Map.of(), 0)).isEqualTo(427);
    }

    /**
     * The README's heap formula ("Memory") for the settings a container sees: its environment and ConfigMaps, else
     * the defaults in application.properties; plus 93 bytes per request id completed within the window.
     */
    private static long heapBudgetMiB(Map<String, String> settings, long requestIdsPerWeek) throws IOException {
        Map<String, String> values = new HashMap<>(defaults());
        values.putAll(settings);
        long consumers = Long.parseLong(values.get("GATEWAY_CONSUMERS"));
        long parallelSends = Long.parseLong(values.get("GATEWAY_PARALLEL_SENDS"));
        long fetchBytes = Long.parseLong(values.get("GATEWAY_FETCH_MAX_BYTES"));
        long requestBytes = Long.parseLong(values.get("GATEWAY_MAX_REQUEST_BYTES"));
        long jsonValues = Long.parseLong(values.get("GATEWAY_MAX_JSON_VALUES"));
        long freeRenderBytes = Long.parseLong(values.get("GATEWAY_LARGE_RENDER_BYTES"));
        long largeRenders = Long.parseLong(values.get("GATEWAY_LARGE_RENDERS"));
        long messageBytes = Long.parseLong(values.get("GATEWAY_MAX_MESSAGE_BYTES"));
        long cacheBytes = Long.parseLong(values.get("GATEWAY_IDEMPOTENCY_CACHE_BYTES"));
        long bytes = 100 * MIB
                + consumers * 2 * (fetchBytes + requestBytes) + (fetchBytes + requestBytes)
                + consumers * 3 * (fetchBytes + requestBytes) + parallelSends * 64 * jsonValues
                + (parallelSends - largeRenders) * 2 * freeRenderBytes + largeRenders * 4 * messageBytes
                + cacheBytes + 93 * requestIdsPerWeek;
        return (bytes + MIB - 1) / MIB;
    }

    /** Every setting's default: "key = {{env:VAR:default}}" in application.properties, by variable. */
    private static Map<String, String> defaults() throws IOException {
        Map<String, String> defaults = new HashMap<>();
        Matcher placeholder = ENV_PLACEHOLDER.matcher(Files.readString(APPLICATION_PROPERTIES));
        while (placeholder.find()) {
            defaults.put(placeholder.group(1), placeholder.group(2).trim());
        }
        return defaults;
    }

    /** The settings the gateway's container is given: its ConfigMaps, then its own environment. */
    private static Map<String, String> settings(List<ObjectNode> objects) {
        JsonNode container = container(objects);
        Map<String, String> settings = new HashMap<>();
        for (JsonNode source : container.path("envFrom")) {
            String configMap = source.path("configMapRef").path("name").asText();
            objects.stream().filter(o -> "ConfigMap".equals(o.path("kind").asText()))
                    .filter(o -> configMap.equals(o.path("metadata").path("name").asText()))
                    .forEach(o -> o.path("data").fields()
                            .forEachRemaining(e -> settings.put(e.getKey(), e.getValue().asText())));
        }
        for (JsonNode variable : container.path("env")) {
            if (variable.has("value")) {
                settings.put(variable.path("name").asText(), variable.path("value").asText());
            }
        }
        return settings;
    }

    private static double heapPercentage() throws IOException {
        Matcher percentage = HEAP_PERCENTAGE.matcher(Files.readString(Path.of("pom.xml")));
        assertThat(percentage.find()).as("the image's -XX:MaxRAMPercentage in pom.xml").isTrue();
        return Double.parseDouble(percentage.group(1));
    }

    private static JsonNode container(List<ObjectNode> objects) {
        return Kustomize.named(objects, "Deployment", "mail-gateway").orElseThrow()
                .path("spec").path("template").path("spec").path("containers").get(0);
    }

    /** A Kubernetes memory quantity in bytes (Ki, Mi, Gi, or plain bytes). */
    static long bytes(String quantity) {
        Matcher matcher = Pattern.compile("(\\d+)(Ki|Mi|Gi)?").matcher(quantity);
        assertThat(matcher.matches()).as("memory quantity %s", quantity).isTrue();
        long value = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2) == null ? "" : matcher.group(2)) {
            case "Ki" -> value * 1024;
            case "Mi" -> value * MIB;
            case "Gi" -> value * 1024 * MIB;
            default -> value;
        };
    }

    private static double cpus(String quantity) {
        return quantity.endsWith("m") ? Double.parseDouble(quantity.substring(0, quantity.length() - 1)) / 1000
                : Double.parseDouble(quantity);
    }
}
