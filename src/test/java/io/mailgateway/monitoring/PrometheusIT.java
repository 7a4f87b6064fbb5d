package io.mailgateway.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.monitoring.MonitoringFiles.Alert;
import io.mailgateway.support.FreePorts;
import io.mailgateway.support.InJvmGateway;
import io.mailgateway.support.ManagementPort;
import io.mailgateway.support.TestRelay;

/**
 * A real Prometheus scrapes a running gateway (real Kafka broker, real SMTP relays) that sent, rejected, failed,
 * expired and failed over mail; then every alert's signal and every dashboard query must find series, and every
 * alert expression must evaluate without error. An alert's signal is its expression without the threshold
 * comparison ({@link Alert#signal()}): the alert itself is quiet in a healthy run, but its signal must not be
 * "no data", which is what a misspelt metric or label would give.
 */
class PrometheusIT {

    private static final String GONE = "gone@customer.example";
    private static final String BUSY = "busy@customer.example";

    @TempDir
    static Path work;
    static TestRelay backup;
    static InJvmGateway gateway;
    static PrometheusServer prometheus;
    static int managementPort;

    @BeforeAll
    static void start() throws IOException {
        backup = new TestRelay(work.resolve("backup"), false);
        managementPort = FreePorts.next();
        gateway = InJvmGateway.start(work, MonitoringFiles.gatewayWithFailover(work, backup, managementPort));
        gateway.relay().server().rejectRecipient(GONE, 550, "5.1.1 user unknown");
        gateway.relay().server().rejectRecipient(BUSY, 450, "4.2.1 mailbox busy, try later");
        prometheus = PrometheusServer.start(Files.createDirectories(work.resolve("prometheus")),
                "127.0.0.1:" + managementPort, "/observe/metrics");
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable closeable : new AutoCloseable[] {prometheus, gateway, backup}) {
            if (closeable != null) {
                closeable.close();
            }
        }
    }

    @Test
    void aDeferredRequestShowsAsTheOldestRetryUntilItExpires() {
        String id = send(null, BUSY);

        gateway.results().awaitStatus(id, "DEFERRED");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> gauge("mail_gateway_retry_oldest_age_seconds") > 0);
        gateway.results().awaitStatus(id, "EXPIRED");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> gauge("mail_gateway_retry_oldest_age_seconds") == 0);
    }

    @Test
    void everyAlertSignalAndDashboardQueryFindsSeriesInARealPrometheus() throws IOException {
        String sent = send(null, "alice@customer.example");
        String failed = send(null, GONE);
        String expired = send(null, BUSY);
        String failedOver = send("failover", "bob@customer.example");
        String rejected = "monitoring-" + UUID.randomUUID();
        gateway.kafka().send(InJvmGateway.OUTBOUND, rejected, """
                {"id": "%s", "subject": "no recipient", "text": "t"}""".formatted(rejected));
        gateway.results().awaitStatus(sent, "SENT");
        gateway.results().awaitStatus(failed, "FAILED");
        gateway.results().awaitStatus(failedOver, "SENT");
        gateway.results().awaitStatus(rejected, "REJECTED");
        gateway.results().awaitStatus(expired, "EXPIRED");

        Map<String, String> queries = new LinkedHashMap<>();
        for (Alert alert : MonitoringFiles.alerts()) {
            queries.put("alert " + alert.name() + " signal", alert.signal());
        }
        queries.putAll(dashboardQueries());
        assertThat(queries).hasSizeGreaterThan(MonitoringFiles.alerts().size());

        // Until Prometheus has scraped the results above twice (rates need two samples), some queries find nothing.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            List<String> problems = new ArrayList<>();
            queries.forEach((what, promql) -> {
                JsonNode answer = prometheus.query(promql);
                if (!"success".equals(answer.path("status").asText())) {
                    problems.add(what + ": " + answer.path("error").asText() + "\n    " + promql);
                } else if (answer.path("data").path("result").isEmpty()) {
                    problems.add(what + ": no series\n    " + promql);
                }
            });
            assertThat(problems).as("queries that fail or find nothing").isEmpty();
        });
        for (Alert alert : MonitoringFiles.alerts()) {
            JsonNode answer = prometheus.query(alert.expr());
            assertThat(answer.path("status").asText()).as(alert.name() + ": " + answer.path("error").asText())
                    .isEqualTo("success");
        }
        // A healthy gateway: every check it reports on /observe/health is a series, and UP.
        JsonNode readiness = prometheus.query("mail_gateway_readiness").path("data").path("result");
        Map<String, String> checks = new LinkedHashMap<>();
        readiness.forEach(r -> checks.put(r.path("metric").path("check").asText(), r.path("value").get(1).asText()));
        assertThat(checks).containsKeys("consumer:consume-requests", "smtp-relay", "kafka-outcomes",
                "completed-requests", "suppression-list", "retry-queue");
        assertThat(checks.values()).as(checks.toString()).containsOnly("1");
    }

    private static String grafanaVariablesSet(String expr, String rateInterval) {
        return expr.replace("$__rate_interval", rateInterval).replace("$namespace", ".*");
    }

    /**
     * Each panel query of the dashboard, with Grafana's variables as a dashboard showing everything would set them;
     * the namespace variable's own query (label_values) is Grafana's, not PromQL, and is left out.
     */
    private static Map<String, String> dashboardQueries() throws IOException {
        JsonNode dashboard = MonitoringFiles.JSON.readTree(MonitoringFiles.DASHBOARD.toFile());
        Map<String, String> queries = new LinkedHashMap<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                String promql = grafanaVariablesSet(target.path("expr").asText(), "1m");
                queries.put("panel \"" + panel.path("title").asText() + "\" " + target.path("refId").asText(), promql);
            }
        }
        return queries;
    }

    private static String send(String tenant, String recipient) {
        String id = "monitoring-" + UUID.randomUUID();
        gateway.kafka().send(InJvmGateway.OUTBOUND, id, """
                {"id": "%s", "to": ["%s"], "subject": "Monitoring", "text": "Hello"%s}""".formatted(id, recipient,
                tenant == null ? "" : ", \"tags\": {\"tenant\": \"" + tenant + "\"}"));
        return id;
    }

    private static double gauge(String name) throws IOException {
        return ManagementPort.get(managementPort, "/observe/metrics").body().lines()
                .filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .max().orElseThrow(() -> new AssertionError(name + " is not among the gateway's metrics"));
    }
}
