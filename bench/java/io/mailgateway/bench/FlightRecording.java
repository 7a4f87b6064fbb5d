package io.mailgateway.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /** Stops the recording and returns the {@code count} methods most often on top of a sampled stack. */
    List<TopFrame> stop(int count) throws IOException, InterruptedException {
        ProcessStats.jcmd(pid, "JFR.stop name=" + name);
        return topFrames(file, count);
    }

    static List<TopFrame> topFrames(Path recording, int count) throws IOException {
        Map<String, Integer> samples = new HashMap<>();
        int total = 0;
        try (RecordingFile events = new RecordingFile(recording)) {
            while (events.hasMoreEvents()) {
                RecordedEvent event = events.readEvent();
                if (!event.getEventType().getName().equals(EXECUTION_SAMPLE) || event.getStackTrace() == null
                        || event.getStackTrace().getFrames().isEmpty()) {
                    continue;
                }
                total++;
                samples.merge(method(event.getStackTrace().getFrames().get(0)), 1, Integer::sum);
            }
        }
        double all = Math.max(1, total);
        return samples.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(count)
                .map(e -> new TopFrame(e.getKey(), e.getValue() / all))
                .toList();
    }

    private static String method(RecordedFrame frame) {
        RecordedMethod method = frame.getMethod();
        return method == null ? "(unknown)" : method.getType().getName() + "." + method.getName();
    }
}
