package io.mailgateway.support;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The packaged gateway ({@code target/mail-gateway.jar}) as its own process, configured by environment variables. */
public final class GatewayProcess implements AutoCloseable {

    private final Process process;
    private final Path output;
    private final int managementPort;

    private GatewayProcess(Process process, Path output, int managementPort) {
        this.process = process;
        this.output = output;
        this.managementPort = managementPort;
    }

    /** Starts the jar with these variables (plus MANAGEMENT_PORT) and waits until readiness answers 200. */
    public static GatewayProcess start(Path workDir, Map<String, String> environment) throws IOException {
        return start(workDir, environment, List.of("-Xmx256m"));
    }

    /** Like {@link #start(Path, Map)}, with these JVM options (heap size, OutOfMemoryError handling) instead. */
    public static GatewayProcess start(Path workDir, Map<String, String> environment, List<String> jvmOptions)
            throws IOException {
        return start(workDir, environment, jvmOptions, "/observe/health/ready");
    }

    /** Starts the jar and waits only until liveness answers 200: for a gateway that cannot be ready yet. */
    public static GatewayProcess startAlive(Path workDir, Map<String, String> environment) throws IOException {
        return start(workDir, environment, List.of("-Xmx256m"), "/observe/health/live");
    }

    private static GatewayProcess start(Path workDir, Map<String, String> environment, List<String> jvmOptions,
            String upWhen) throws IOException {
        Path jar = Path.of("target", "mail-gateway.jar").toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: integration tests run after 'mvn package'");
        }
        int managementPort = FreePorts.next();
        // Kept under target/ after the test, so a failure can be read there.
        Path output = Files.createDirectories(Path.of("target", "gateway-output"))
                .resolve(System.currentTimeMillis() + "-" + workDir.getFileName() + ".log").toAbsolutePath();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar.toString());
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        builder.environment().putAll(environment);
        builder.environment().put("MANAGEMENT_PORT", String.valueOf(managementPort));
        GatewayProcess gateway = new GatewayProcess(builder.start(), output, managementPort);
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
                if (!gateway.process.isAlive()) {
                    throw new IllegalStateException("the gateway exited with " + gateway.process.exitValue() + ":\n" + gateway.output());
                }
                return gateway.httpStatus(upWhen) == 200;
            });
        } catch (RuntimeException e) {
            gateway.close();
            throw new IllegalStateException("the gateway did not answer " + upWhen + ":\n" + gateway.output(), e);
        }
        return gateway;
    }

    /** The HTTP status of a management endpoint, or -1 while nothing answers. */
    public int httpStatus(String path) {
        return ManagementPort.status(managementPort, path);
    }

    public HttpResponse<String> get(String path) throws IOException {
        return ManagementPort.get(managementPort, path);
    }

    /** Everything the process wrote to stdout and stderr so far. */
    public String output() {
        try {
            return Files.readString(output);
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    /** Whether the process is still running (not ended by an OutOfMemoryError, for one). */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** Kills the process without warning (SIGKILL), as a crash or an OOM kill would. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /** Sends SIGTERM and waits for the process to exit; returns its exit code. */
    public int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                stop();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
