package io.mailgateway.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A contender running as its own JVM, so its CPU time and memory are its own. It talks to the benchmark in lines
 * on stdout that start with {@value #PREFIX} (e.g. "BENCH DONE ..."); the benchmark answers "GO" on its stdin.
 * Everything it prints also goes to a log file.
 */
final class ChildJvm implements AutoCloseable {

    static final String PREFIX = "BENCH ";

    private final String name;
    private final Process process;
    private final Path log;
    private final PrintWriter stdin;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private ChildJvm(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.stdin = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        Thread reader = new Thread(this::pump, "output-of-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** Runs {@code mainClass} on this JVM's class path with the given JVM options and arguments. */
    static ChildJvm start(String name, Path log, List<String> jvmOptions, Class<?> mainClass, Map<String, String> environment,
            String... arguments) throws IOException {
        Files.createDirectories(log.getParent());
        // an argument file keeps the long class path off the command line
        Path argFile = log.resolveSibling(log.getFileName() + ".args");
        Files.writeString(argFile, "-cp \"" + System.getProperty("java.class.path").replace("\\", "\\\\") + "\"\n");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("@" + argFile);
        command.add(mainClass.getName());
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        return new ChildJvm(name, builder.start(), log);
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    void send(String line) {
        stdin.println(line);
    }

    /**
     * Waits for the protocol line starting with {@code word} and returns its further words. Any protocol line
     * counts as progress; the wait fails when none came for {@code stall} or the process exited.
     */
    String[] await(String word, Duration stall) throws InterruptedException {
        while (true) {
            String line = lines.poll(stall.toMillis(), TimeUnit.MILLISECONDS);
            if (line == null) {
                throw new IllegalStateException(describe() + " made no progress for " + stall.toSeconds()
                        + " s while waiting for " + word + "; see " + log);
            }
            if (line.equals("EXIT")) {
                throw new IllegalStateException(describe() + " exited with " + process.waitFor()
                        + " while waiting for " + word + "; see " + log);
            }
            String[] words = line.split(" ");
            if (words[0].equals("FAILED")) {
                throw new IllegalStateException(describe() + " failed: " + line.substring(7) + "; see " + log);
            }
            if (words[0].equals(word)) {
                return words;
            }
        }
    }

    private String describe() {
        return name + " (pid " + process.pid() + ")";
    }

    private void pump() {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                Writer file = Files.newBufferedWriter(log)) {
            String line;
            while ((line = out.readLine()) != null) {
                file.write(line);
                file.write('\n');
                file.flush();
                if (line.startsWith(PREFIX)) {
                    lines.add(line.substring(PREFIX.length()));
                }
            }
        } catch (IOException e) {
            // the process was stopped: its output ends here
        } finally {
            lines.add("EXIT");
        }
    }

    @Override
    public void close() throws InterruptedException {
        stdin.close();
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
