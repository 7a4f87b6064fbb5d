package io.mailgateway.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.monitoring.MonitoringFiles.Alert;
import io.mailgateway.monitoring.MonitoringFiles.Run;

/**
 * The alerts of the monitoring component: valid for Prometheus (promtool check rules), each one firing when it should
 * and quiet when it should not (promtool test rules), and each with a summary, a severity and a runbook section.
 */
class AlertRulesTest {

    private static final Path UNIT_TESTS = Path.of("src/test/resources/monitoring/alerts-test.yaml");

    @Test
    void promtoolAcceptsTheRules(@TempDir Path dir) {
        Path rules = MonitoringFiles.writeRuleFile(dir);

        Run check = MonitoringFiles.run(dir, MonitoringFiles.require(MonitoringFiles.PROMTOOL).toString(), "check",
                "rules", rules.toString());

        assertThat(check.exitCode()).as(check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS: " + MonitoringFiles.alerts().size() + " rules found");
    }

    @Test
    void everyAlertPassesItsPromtoolUnitTests(@TempDir Path dir) throws IOException {
        MonitoringFiles.writeRuleFile(dir);
        Path tests = Files.copy(UNIT_TESTS, dir.resolve("alerts-test.yaml"));

        Run test = MonitoringFiles.run(dir, MonitoringFiles.require(MonitoringFiles.PROMTOOL).toString(), "test",
                "rules", tests.getFileName().toString());

        assertThat(test.exitCode()).as(test.output()).isZero();
        assertThat(test.output()).contains("SUCCESS");
    }

    @Test
    void everyAlertHasAUnitTestWhereItFiresAndOneWhereItStaysQuiet() throws IOException {
        Set<String> fires = new HashSet<>();
        Set<String> quiet = new HashSet<>();
        for (JsonNode test : MonitoringFiles.YAML.readTree(UNIT_TESTS.toFile()).path("tests")) {
            for (JsonNode expectation : test.path("alert_rule_test")) {
                String alert = expectation.path("alertname").asText();
                (expectation.path("exp_alerts").isEmpty() ? quiet : fires).add(alert);
            }
        }
        List<String> alerts = MonitoringFiles.alerts().stream().map(Alert::name).toList();

        assertThat(alerts).isNotEmpty();
        assertThat(fires).as("alerts tested to fire").containsAll(alerts);
        assertThat(quiet).as("alerts tested to stay quiet").containsAll(alerts);
    }

    @Test
    void everyAlertHasASummaryASeverityAndARunbookSection() throws IOException {
        String runbook = Files.readString(MonitoringFiles.RUNBOOK);
        for (Alert alert : MonitoringFiles.alerts()) {
            String anchor = alert.name().toLowerCase(Locale.ROOT);
            assertThat(alert.labels().path("severity").asText()).as(alert.name()).isIn("warning", "critical");
            assertThat(alert.annotations().path("summary").asText()).as(alert.name()).isNotBlank();
            assertThat(alert.annotations().path("runbook_url").asText()).as(alert.name())
                    .isEqualTo("docs/runbook.md#" + anchor);
            // GitHub and most Markdown renderers make "## MailGatewayNotReady" the anchor #mailgatewaynotready.
            assertThat(runbook).as("runbook section of " + alert.name()).containsPattern("(?m)^## " + alert.name() + "$");
        }
    }

    @Test
    void anAlertsSignalIsItsExpressionWithoutThresholds() {
        Alert alert = new Alert("A", "max by (namespace) (x) > 1000\nand max by (namespace) (delta(x[15m])) > 0",
                null, null);
        Alert ratio = new Alert("B", "sum(a) / sum(b) >= 1", null, null);

        assertThat(alert.signal()).isEqualTo("max by (namespace) (x)\nand max by (namespace) (delta(x[15m]))");
        assertThat(ratio.signal()).isEqualTo("sum(a) / sum(b)");
        assertThat(new Alert("C", "min(r{check=\"s\"}) == 0", null, null).signal()).isEqualTo("min(r{check=\"s\"})");
    }
}
