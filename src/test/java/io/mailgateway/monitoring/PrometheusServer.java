package io.mailgateway.monitoring;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import io.mailgateway.support.FreePorts;

/** A real Prometheus server (Debian's {@code prometheus}) in a child process, scraping one target every second. */
final class PrometheusServer implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final int port;
    private final Path log;

    private PrometheusServer(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts Prometheus with its own storage in {@code work}, scraping {@code target} (host:port) at {@code path}. */
    static PrometheusServer start(Path work, String target, String path) {
        try {
            Path config = Files.writeString(work.resolve("prometheus.yml"), """
                    global:
                      scrape_interval: 1s
                      scrape_timeout: 900ms
                      evaluation_interval: 1s
                    scrape_configs:
                      - job_name: mail-gateway
                        metrics_path: %s
                        static_configs:
                          - targets: ["%s"]
                    """.formatted(path, target));
            int port = FreePorts.next();
            Path log = work.resolve("prometheus.log");
            Process process = new ProcessBuilder(MonitoringFiles.require(MonitoringFiles.PROMETHEUS).toString(),
                    "--config.file=" + config, "--storage.tsdb.path=" + Files.createDirectories(work.resolve("data")),
                    "--web.listen-address=127.0.0.1:" + port, "--log.level=warn")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            return new PrometheusServer(process, port, log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The port of its HTTP API, on 127.0.0.1. */
    int port() {
        return port;
    }

    /** Evaluates an instant query; the whole answer ({@code status}, {@code data.result}, {@code error}). */
    JsonNode query(String promql) {
        return get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    }

    private JsonNode get(String pathAndQuery) {
        String uri = "http://127.0.0.1:" + port + pathAndQuery;
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(uri))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return MonitoringFiles.JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("Prometheus does not answer; its log:\n" + log(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
