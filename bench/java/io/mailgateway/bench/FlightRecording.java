package io.mailgateway.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordingFile;

/**
 * A Java Flight Recorder recording of a running contender ({@code jcmd PID JFR.start settings=profile}), and the
 * methods its CPU samples were in most often: where the process spends its CPU time.
 */
final class FlightRecording {

    /** A method that was on top of the stack in {@code share} of the CPU samples. */
    record TopFrame(String method, double share) {
    }

    /** A part of the process (the gateway's code or a library) that ran {@code share} of the CPU samples itself. */
    record Part(String name, double share) {
    }

    /** What one recording found: the hottest methods and the share of each part. */
    record Summary(List<TopFrame> frames, List<Part> parts) {
    }

    /**
     * The parts a sample is counted to: the first frame from the top of its stack that is in one of them decides, so
     * the JDK's own methods count to their caller (a string copied by the gateway is the gateway's work, one copied by
     * Camel is Camel's). Samples whose stack holds none of them count as "other".
     */
    private static final List<Map.Entry<String, List<String>>> PARTS = List.of(
            Map.entry("the gateway's own code", List.of("io.mailgateway.")),
            Map.entry("Camel (routing, bean calls, expressions)", List.of("org.apache.camel.")),
            Map.entry("Kafka clients", List.of("org.apache.kafka.")),
            Map.entry("Jakarta/Angus Mail (MIME, SMTP)", List.of("jakarta.mail.", "org.eclipse.angus.")),
            Map.entry("JSON (Jackson, JSON Schema)", List.of("com.fasterxml.jackson.", "com.networknt.")),
            Map.entry("metrics and logging", List.of("io.micrometer.", "org.apache.logging.", "org.slf4j.")),
            Map.entry("HTTP server (Vert.x, Netty)", List.of("io.vertx.", "io.netty.")));
    private static final String OTHER = "other (stacks of JDK frames alone)";

    private static final String EXECUTION_SAMPLE = "jdk.ExecutionSample";

    private final long pid;
    private final String name;
    private final Path file;

    private FlightRecording(long pid, String name, Path file) {
        this.pid = pid;
        this.name = name;
        this.file = file;
    }

    /** Starts recording the process with the JDK's "profile" settings (a CPU sample every 10 ms per thread). */
    static FlightRecording start(long pid, String name, Path file) throws IOException, InterruptedException {
        Files.createDirectories(file.getParent());
        Files.deleteIfExists(file);
        ProcessStats.jcmd(pid, "JFR.start name=" + name + " settings=profile filename=" + file.toAbsolutePath());
        return new FlightRecording(pid, name, file);
    }

    /** Stops the recording; {@link #summary} then reads it. */
    void stop() throws IOException, InterruptedException {
        ProcessStats.jcmd(pid, "JFR.stop name=" + name);
    }

    /**
     * The {@code count} methods most often on top of a stack sampled from {@code from} to {@code to}, and the share
     * of each part.
     */
    Summary summary(int count, Instant from, Instant to) throws IOException {
        Map<String, Integer> samples = new HashMap<>();
        Map<String, Integer> parts = new HashMap<>();
        int total = 0;
        try (RecordingFile events = new RecordingFile(file)) {
            while (events.hasMoreEvents()) {
                RecordedEvent event = events.readEvent();
                if (!event.getEventType().getName().equals(EXECUTION_SAMPLE) || event.getStackTrace() == null
                        || event.getStackTrace().getFrames().isEmpty() || event.getStartTime().isBefore(from)
                        || !event.getStartTime().isBefore(to)) {
                    continue;
                }
                total++;
                List<RecordedFrame> frames = event.getStackTrace().getFrames();
                samples.merge(method(frames.get(0)), 1, Integer::sum);
                parts.merge(part(frames), 1, Integer::sum);
            }
        }
        double all = Math.max(1, total);
        List<TopFrame> top = largest(samples, count).stream().map(e -> new TopFrame(e.getKey(), e.getValue() / all))
                .toList();
        List<Part> shares = largest(parts, parts.size()).stream().map(e -> new Part(e.getKey(), e.getValue() / all))
                .toList();
        return new Summary(top, shares);
    }

    private static List<Map.Entry<String, Integer>> largest(Map<String, Integer> counts, int count) {
        return counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(count)
                .toList();
    }

    private static String part(List<RecordedFrame> frames) {
        for (RecordedFrame frame : frames) {
            String type = frame.getMethod() == null ? "" : frame.getMethod().getType().getName();
            for (Map.Entry<String, List<String>> part : PARTS) {
                if (part.getValue().stream().anyMatch(type::startsWith)) {
                    return part.getKey();
                }
            }
        }
        return OTHER;
    }

    private static String method(RecordedFrame frame) {
        RecordedMethod method = frame.getMethod();
        return method == null ? "(unknown)" : method.getType().getName() + "." + method.getName();
    }
}
