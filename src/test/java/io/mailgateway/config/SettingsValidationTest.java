package io.mailgateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.mailgateway.relay.Relay;
import io.mailgateway.smtp.SmtpSecurity;

/** Each capability's settings refuse a value the gateway cannot run with, naming the setting as users set it. */
class SettingsValidationTest {

    static Stream<Arguments> refusedSettings() {
        return Stream.of(
                refused("no send threads", ConsumptionSettings::from, Map.of("gateway.parallel-sends", "0"),
                        "GATEWAY_PARALLEL_SENDS must be at least 1 but was 0"),
                refused("no pause between topic checks", ConsumptionSettings::from,
                        Map.of("gateway.kafka.recheck-interval-ms", "0"),
                        "GATEWAY_KAFKA_RECHECK_INTERVAL_MS must be at least 1 but was 0"),
                refused("retry records smaller than requests", RequestSettings::from,
                        Map.of("gateway.kafka.max-record-bytes", "1000"),
                        "GATEWAY_MAX_RECORD_BYTES (1000) must be at least GATEWAY_MAX_REQUEST_BYTES + 65536"
                                + " (10551296)"),
                refused("plaintext SMTP not allowed", RelaySettings::from, Map.of("gateway.smtp.security", "none"),
                        "SMTP_SECURITY=none sends credentials and mail in clear text; set SMTP_ALLOW_PLAINTEXT=true"
                                + " to allow it"),
                refused("negative tenant rate wait", RelaySettings::from, Map.of("gateway.tenant-rate-wait-ms", "-1"),
                        "GATEWAY_TENANT_RATE_WAIT_MS must not be negative but was -1"),
                refused("zero rate limit refresh", RelaySettings::from, Map.of("gateway.rate-limit.refresh-ms", "0"),
                        "GATEWAY_RATE_LIMIT_REFRESH_MS must be positive but was 0"),
                refused("instance id with a space", RelaySettings::from, Map.of("gateway.instance-id", "pod a"),
                        "GATEWAY_INSTANCE_ID must be printable ASCII without spaces but was 'pod a'"),
                refused("preview without the HTTP server", HttpSettings::from,
                        Map.of("gateway.preview.enabled", "true"),
                        "GATEWAY_PREVIEW_ENABLED=true needs GATEWAY_HTTP_ENABLED=true: the preview pages are served by"
                                + " the public HTTP server"),
                refused("an HTTP body limit too small for an unsubscribe", HttpSettings::from,
                        Map.of("camel.server.max-body-size", "26"),
                        "GATEWAY_HTTP_MAX_BODY_BYTES must be between 512 and 1048576 but was 26"),
                refused("profile lookups without a timeout", ProfileSettings::from,
                        Map.of("gateway.profile.timeout-ms", "0"),
                        "GATEWAY_PROFILE_TIMEOUT_MS must be between 1 and 60000 but was 0"),
                refused("profile lookups waiting too long", ProfileSettings::from,
                        Map.of("gateway.profile.timeout-ms", "60001"),
                        "GATEWAY_PROFILE_TIMEOUT_MS must be between 1 and 60000 but was 60001"),
                refused("templates folder that is not there", RenderSettings::from,
                        Map.of("gateway.templates-dir", "no-such-templates"),
                        "GATEWAY_TEMPLATES_DIR no-such-templates is not a directory"),
                refused("a switch that is neither true nor false", HttpSettings::from,
                        Map.of("gateway.unsubscribe.enabled", "yes"),
                        "gateway.unsubscribe.enabled must be true or false but was yes"),
                refused("a count that is not a number", ConsumptionSettings::from,
                        Map.of("gateway.parallel-sends", "x"),
                        "gateway.parallel-sends must be a whole number but was x"));
    }

    private static Arguments refused(String name, Function<Settings, ?> capability, Map<String, String> changes,
            String message) {
        return Arguments.of(name, capability, changes, message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedSettings")
    void settingsTheGatewayCannotRunWithAreRefusedNamingTheSetting(String name, Function<Settings, ?> capability,
            Map<String, String> changes, String message) {
        assertThatThrownBy(() -> capability.apply(DefaultSettings.with(changes))).hasMessage(message);
    }

    static Stream<Arguments> defaultSettings() {
        return Stream.<Function<Settings, ?>>of(KafkaSettings::from, Topics::from, RequestSettings::from,
                TenantSettings::from, ProfileSettings::from, RenderSettings::from, RelaySettings::from,
                RetrySettings::from, IdempotencySettings::from, SuppressionSettings::from, ConsumptionSettings::from,
                HttpSettings::from).map(Arguments::of);
    }

    @ParameterizedTest
    @MethodSource("defaultSettings")
    void theDefaultsOfApplicationPropertiesAreAccepted(Function<Settings, ?> capability) {
        assertThat(capability.apply(DefaultSettings.with(Map.of()))).isNotNull();
    }

    @Test
    void aShutdownShorterThanTheLongestSubmissionIsRefused() {
        assertThatThrownBy(() -> RelaySettings.from(DefaultSettings.with(Map.of("camel.main.shutdownTimeout", "30"))))
                .hasMessageContaining("GATEWAY_SHUTDOWN_TIMEOUT_SECONDS (30 s)").hasMessageContaining("at least 1940");
    }

    @Test
    void aPooledConnectionCarriesAThousandMessagesByDefault() {
        // Each new connection costs a TLS handshake and AUTH on both sides; 1000 is also Exim's limit per connection.
        RelaySettings settings = RelaySettings.from(DefaultSettings.with(Map.of()));

        assertThat(settings.relays().relay(Relay.DEFAULT).pool().maxMessagesPerConnection()).isEqualTo(1000);
    }

    @Test
    void plaintextSmtpIsAcceptedWhenExplicitlyAllowedAndUsesPort25() {
        RelaySettings settings = RelaySettings.from(DefaultSettings.with(Map.of("gateway.smtp.security", "none",
                "gateway.smtp.allow-plaintext", "true")));

        assertThat(settings.relays().relay(Relay.DEFAULT).settings().security()).isEqualTo(SmtpSecurity.NONE);
        assertThat(settings.relays().relay(Relay.DEFAULT).settings().port()).isEqualTo(SmtpSecurity.NONE.defaultPort());
    }

    @Test
    void smtpPasswordComesFromItsFileAndNeverShowsInTheSettings(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("password"), "s3cret-from-file\n");

        RelaySettings settings = RelaySettings.from(DefaultSettings.with(Map.of("gateway.smtp.username", "gateway",
                "gateway.smtp.password", "s3cret-inline", "gateway.smtp.password-file", file.toString())));

        assertThat(settings.relays().relay(Relay.DEFAULT).settings().password()).isEqualTo("s3cret-from-file");
        assertThat(settings.toString()).doesNotContain("s3cret");
    }

    @Test
    void kafkaClientPropertiesLeaveBlankSettingsOutAndNeverShowSecrets() {
        KafkaSettings settings = KafkaSettings.from(DefaultSettings.with(Map.of(
                "camel.component.kafka.brokers", "broker-1:9093",
                "camel.component.kafka.securityProtocol", "SASL_SSL",
                "camel.component.kafka.saslMechanism", "SCRAM-SHA-512",
                "camel.component.kafka.saslJaasConfig", "ScramLoginModule required password=\"s3cret\";",
                "camel.component.kafka.sslTruststoreType", " ")));

        assertThat(settings.clientProperties()).containsOnly(
                Map.entry("bootstrap.servers", "broker-1:9093"),
                Map.entry("security.protocol", "SASL_SSL"),
                Map.entry("sasl.mechanism", "SCRAM-SHA-512"),
                Map.entry("sasl.jaas.config", "ScramLoginModule required password=\"s3cret\";"),
                Map.entry("ssl.keystore.type", "PKCS12"));
        assertThat(settings.toString()).doesNotContain("s3cret");
    }

    @Test
    void unsubscribeSecretNeverShowsInTheSettings() {
        HttpSettings settings = HttpSettings.from(DefaultSettings.with(Map.of("gateway.unsubscribe.secret",
                "s3cret-signing-key")));

        assertThat(settings.hasUnsubscribeSecret()).isTrue();
        assertThat(settings.toString()).doesNotContain("s3cret");
    }

    @Test
    void durationsReadAsTheyAreWrittenInTheProperties() {
        Settings settings = DefaultSettings.with(Map.of("gateway.idempotency.window", "36h",
                "gateway.suppression.ttl", "30d"));

        assertThat(IdempotencySettings.from(settings).window()).isEqualTo(Duration.ofHours(36));
        assertThat(SuppressionSettings.from(settings).timeToLive()).isEqualTo(Duration.ofDays(30));
    }
}
