package io.mailgateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * of the limit must hold everything outside the heap. The numbers live here, in one place.
 */
class MemoryBudgetTest {

    private static final long MIB = 1024 * 1024;
    /**
     * The heap the gateway's settings call for (README, "Memory"): about 400 MiB with the default settings, plus
     * 93 bytes per request id completed within the idempotency window (7 days).
     */
    private static final Map<String, Long> HEAP_BUDGET_MIB = Map.of(
            "base", heapMiB(1_000_000),
            // a development cluster: a few hundred thousand requests a week
            "dev", heapMiB(200_000),
            // every instance follows mail.state in full: 5 million requests a week
            "prod", heapMiB(5_000_000));
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
        assertThat(new TreeSet<>(HEAP_BUDGET_MIB.keySet())).containsAll(overlays);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renderings")
    void theLimitHoldsTheHeapBudgetInTheHeapAndTheRestOutsideIt(String name, List<ObjectNode> objects) throws IOException {
        JsonNode resources = container(objects).path("resources");
        long limit = bytes(resources.path("limits").path("memory").asText());
        double heapShare = heapPercentage() / 100;
        long maxHeap = (long) (limit * heapShare);
        long nonHeap = NON_HEAP_BUDGET_MIB.values().stream().mapToLong(Long::longValue).sum() * MIB
                + (long) (GC_SHARE_OF_HEAP * maxHeap);

        assertThat(maxHeap / MIB).as("%s: the heap (%.0f %% of %d MiB) holds the heap budget", name, heapShare * 100,
                limit / MIB).isGreaterThanOrEqualTo(HEAP_BUDGET_MIB.get(name));
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

    private static long heapMiB(long requestIdsPerWeek) {
        return 400 + (93 * requestIdsPerWeek + MIB - 1) / MIB;
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
