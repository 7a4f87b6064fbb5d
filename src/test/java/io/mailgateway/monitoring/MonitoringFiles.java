package io.mailgateway.monitoring;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.mailgateway.support.FreePorts;
import io.mailgateway.support.TestRelay;

/** The monitoring that ships with the gateway, as files: alert rules, runbook, dashboard; and the tools that check them. */
final class MonitoringFiles {

    static final Path PROMETHEUS_RULE = Path.of("k8s/components/monitoring/prometheusrule.yaml");
    static final Path RUNBOOK = Path.of("docs/runbook.md");
    static final Path DASHBOARD = Path.of("docs/grafana-dashboard.json");
    static final Path PROMTOOL = Path.of("/usr/bin/promtool");
    static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Settings of a gateway whose tenant {@code failover} sends through a relay that does not answer first and then
     * through {@code backup}, so a request of it counts a relay failover; the relays and tenants files go in work.
     */
    static Map<String, String> gatewayWithFailover(Path work, TestRelay backup, int managementPort)
            throws IOException {
        Path relays = Files.writeString(work.resolve("relays.yaml"), """
                relays:
                  dead:
                    host: 127.0.0.1
                    port: %d
                    connectTimeoutMs: 2000
                  backup:
                    host: localhost
                    port: %d
                    username: %s
                    passwordFile: %s
                    trustCaFile: %s
                """.formatted(FreePorts.next(), backup.port(), TestRelay.USERNAME,
                Files.writeString(work.resolve("backup-password"), backup.password()), backup.caPemFile()));
        Path tenants = Files.writeString(work.resolve("monitoring-tenants.yaml"), """
                tenants:
                  acme:
                    from: {address: shop@acme.example, name: ACME Shop}
                  failover:
                    relays: [dead, backup]
                """);
        return Map.of(
                "gateway.relays-file", relays.toString(),
                "gateway.tenants-file", tenants.toString(),
                "camel.management.port", String.valueOf(managementPort));
    }

    // A comparison with a number, as alert expressions end in: "> 1000", ">= 1", "== 0", "> bool 0.05".
    private static final Pattern THRESHOLD = Pattern.compile("\\s*(==|!=|>=|<=|>|<)\\s*(bool\\s+)?-?[0-9.]+(e[+-]?[0-9]+)?(?=\\s|\\)|$)");

    /** An alert of the PrometheusRule. */
    record Alert(String name, String expr, JsonNode labels, JsonNode annotations) {

        /**
         * The expression without its threshold comparisons: the signal the alert watches. Where the alert would
         * find series, so does the signal; where the signal finds none (a misspelt metric or label), the alert
         * could never fire. Every alert expression is written as "signal op number", joined by "and".
         */
        String signal() {
            return THRESHOLD.matcher(expr).replaceAll("").trim();
        }
    }

    private MonitoringFiles() {
    }

    /** The rule groups of the PrometheusRule's spec, as a Prometheus rule file. */
    static ObjectNode ruleFile() {
        try {
            JsonNode rule = YAML.readTree(PROMETHEUS_RULE.toFile());
            ObjectNode file = YAML.createObjectNode();
            file.set("groups", rule.path("spec").path("groups"));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path writeRuleFile(Path dir) {
        try {
            Path file = dir.resolve("rules.yaml");
            YAML.writeValue(file.toFile(), ruleFile());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Alert> alerts() {
        List<Alert> alerts = new ArrayList<>();
        for (JsonNode group : ruleFile().path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                if (rule.has("alert")) {
                    alerts.add(new Alert(rule.path("alert").asText(), rule.path("expr").asText(), rule.path("labels"),
                            rule.path("annotations")));
                }
            }
        }
        return alerts;
    }

    /** Fails, naming the Debian package, when a Prometheus tool is not installed: these tests do not skip. */
    static Path require(Path tool) {
        if (!Files.isExecutable(tool)) {
            throw new AssertionError(tool + " is missing: the monitoring tests run the real Prometheus tools. Install"
                    + " them with: apt-get install prometheus");
        }
        return tool;
    }

    /** Runs a command in a folder and returns its exit code and output (stdout and stderr together). */
    static Run run(Path dir, String... command) {
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish within 120 s");
            }
            return new Run(process.exitValue(), output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    record Run(int exitCode, String output) {
    }
}
