package io.mailgateway.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** The shutdown timeout must outlast the longest SMTP submission the settings allow, the defaults included. */
class LongestTransactionTest {

    private static final Pattern DEFAULT = Pattern.compile("\\{\\{env:[A-Z0-9_]+:([^}]*)}}");

    @Test
    void countsEveryWaitOfOneSubmission() {
        // pool wait (connect + read), connect, 8 session replies, MAIL, 3 RCPT, DATA, ".", RSET, the message's write
        assertThat(LongestTransaction.of(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(30), 3))
                .isEqualTo(Duration.ofSeconds(2 * 10 + (1 + 8 + 1 + 3 + 1 + 1 + 1) * 30 + 30));
    }

    @Test
    void aRecipientsOwnTransactionStartsOnlyWhileItsRepliesWriteAndRsetStillEndWithinTheBound() {
        SmtpSettings relay = relay(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(30));
        // MAIL, RCPT, DATA and "." of the copy, then RSET, and the message's write
        Duration afterLastStart = Duration.ofSeconds(30).multipliedBy(4 + 1).plus(Duration.ofSeconds(30));

        assertThat(LongestTransaction.lastCopyStart(relay, 3).plus(afterLastStart))
                .isEqualTo(LongestTransaction.of(relay, 3));
    }

    @Test
    void defaultShutdownTimeoutCoversTheLongestSubmissionOfTheDefaultSettings() throws IOException {
        Map<String, String> defaults = defaults();
        Duration longest = LongestTransaction.of(
                Duration.ofMillis(Long.parseLong(defaults.get("gateway.smtp.connect-timeout-ms"))),
                Duration.ofMillis(Long.parseLong(defaults.get("gateway.smtp.read-timeout-ms"))),
                Duration.ofMillis(Long.parseLong(defaults.get("gateway.smtp.write-timeout-ms"))),
                Integer.parseInt(defaults.get("gateway.limits.max-recipients")));
        Duration shutdown = Duration.ofSeconds(Long.parseLong(defaults.get("camel.main.shutdownTimeout")));

        assertThat(longest).isEqualTo(Duration.ofSeconds(1940));
        assertThat(shutdown).isGreaterThanOrEqualTo(longest);
    }

    @Test
    void shutdownTimeoutShorterThanALongestSubmissionIsRefusedNamingTheSettings() {
        SmtpSettings relay = relay(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(30));

        assertThatThrownBy(() -> LongestTransaction.requireCoveredBy(Duration.ofSeconds(30), Map.of("default", relay), 50))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("GATEWAY_SHUTDOWN_TIMEOUT_SECONDS (30 s)")
                .hasMessageContaining("SMTP_READ_TIMEOUT_MS")
                .hasMessageContaining("GATEWAY_MAX_RECIPIENTS")
                .hasMessageContaining("at least 1940");
        assertThatCode(() -> LongestTransaction.requireCoveredBy(Duration.ofSeconds(1940), Map.of("default", relay), 50))
                .doesNotThrowAnyException();
    }

    @Test
    void everyRelayIsCheckedWithItsOwnTimeouts() {
        Map<String, SmtpSettings> relays = new LinkedHashMap<>();
        relays.put("default", relay(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1)));
        relays.put("slow", relay(Duration.ofSeconds(5), Duration.ofSeconds(20), Duration.ofSeconds(5)));

        assertThatThrownBy(() -> LongestTransaction.requireCoveredBy(Duration.ofSeconds(60), relays, 1))
                .hasMessageContaining("relay 'slow'")
                .hasMessageContaining("readTimeoutMs");
    }

    private static SmtpSettings relay(Duration connect, Duration read, Duration write) {
        return new SmtpSettings("relay.example.net", 587, SmtpSecurity.STARTTLS, null, null, null, connect, read, write, null);
    }

    /** The defaults in application.properties: each key's value, or its environment placeholder's default. */
    private static Map<String, String> defaults() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(Path.of("src/main/resources/application.properties"))) {
            properties.load(in);
        }
        Map<String, String> defaults = new LinkedHashMap<>();
        for (String key : properties.stringPropertyNames()) {
            String value = properties.getProperty(key).trim();
            Matcher placeholder = DEFAULT.matcher(value);
            defaults.put(key, placeholder.matches() ? placeholder.group(1).trim() : value);
        }
        return defaults;
    }
}
