package io.mailgateway.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The packaged gateway jar as its own process, configured by environment variables like in production. */
final class GatewayUnderTest implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final Process process;
    private final Path log;
    private final int managementPort;
    private double startupSeconds;

    private GatewayUnderTest(Process process, Path log, int managementPort) {
        this.process = process;
        this.log = log;
        this.managementPort = managementPort;
    }

    /** Starts the jar in {@code workDir} and returns once readiness answers 200. */
    static GatewayUnderTest start(Path jar, Path workDir, List<String> jvmOptions, Map<String, String> environment)
            throws IOException, InterruptedException {
        Files.createDirectories(workDir);
        int managementPort = freePort();
        Path log = workDir.resolve("gateway.log");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        // the JIT settings the image runs the gateway with
        Path imageOptions = jar.toAbsolutePath().getParent().resolveSibling("src/main/jvm/jvm.options");
        if (!Files.isRegularFile(imageOptions)) {
            throw new IllegalStateException("the gateway's JVM options are missing: " + imageOptions);
        }
        command.add("-XX:VMOptionsFile=" + imageOptions);
        // the class-data-sharing archive `mvn package` records beside the jar, as users run it
        Path classArchive = jar.resolveSibling("mail-gateway.jsa");
        if (Files.isRegularFile(classArchive)) {
            command.add("-XX:SharedArchiveFile=" + classArchive.toAbsolutePath());
        }
        command.add("-jar");
        command.add(jar.toAbsolutePath().toString());
        // a work directory without routes/ or templates/, so the gateway uses the ones bundled in the jar
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        builder.environment().put("MANAGEMENT_PORT", String.valueOf(managementPort));

        long started = System.nanoTime();
        GatewayUnderTest gateway = new GatewayUnderTest(builder.start(), log, managementPort);
        while (gateway.status("/observe/health/ready") != 200) {
            if (!gateway.process.isAlive()) {
                throw new IllegalStateException("the gateway exited with " + gateway.process.exitValue()
                        + " before it was ready; see " + log);
            }
            if (System.nanoTime() - started > START_TIMEOUT.toNanos()) {
                gateway.close();
                throw new IllegalStateException("the gateway was not ready within " + START_TIMEOUT.toSeconds()
                        + " s; see " + log);
            }
            Thread.sleep(20);
        }
        gateway.startupSeconds = (System.nanoTime() - started) / 1e9;
        return gateway;
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    /** From process start to the first 200 of /observe/health/ready. */
    double startupSeconds() {
        return startupSeconds;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /**
     * The mean duration of an SMTP attempt so far, from the gateway's histogram mail_gateway_smtp_submission_seconds
     * (all outcomes): tells how much of a request's time is spent talking to the relay.
     */
    double meanSmtpAttemptMillis() throws IOException, InterruptedException {
        HttpResponse<String> metrics = HTTP.send(request("/observe/metrics"), HttpResponse.BodyHandlers.ofString());
        double seconds = 0;
        double count = 0;
        for (String line : metrics.body().split("\n")) {
            double value = line.startsWith("mail_gateway_smtp_submission_seconds_")
                    ? Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)) : 0;
            if (line.startsWith("mail_gateway_smtp_submission_seconds_sum")) {
                seconds += value;
            } else if (line.startsWith("mail_gateway_smtp_submission_seconds_count")) {
                count += value;
            }
        }
        return count == 0 ? Double.NaN : seconds * 1000 / count;
    }

    private int status(String path) throws InterruptedException {
        try {
            return HTTP.send(request(path), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        }
    }

    private HttpRequest request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
                .timeout(Duration.ofSeconds(5)).build();
    }

    /** SIGTERM, as Kubernetes stops it, then waits. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
