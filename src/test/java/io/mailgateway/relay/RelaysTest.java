package io.mailgateway.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

import io.mailgateway.tenant.Tenant.RateLimit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.mailgateway.smtp.SmtpPoolSettings;
import io.mailgateway.smtp.SmtpSecurity;
import io.mailgateway.smtp.SmtpSettings;

/** The relays file: what it configures, the defaults it takes from SMTP_*, and errors that name the file and key. */
class RelaysTest {

    static final Relay DEFAULT = new Relay(Relay.DEFAULT, new SmtpSettings("smtp.example.net", 587,
            SmtpSecurity.STARTTLS, "gateway", "default-secret", null, Duration.ofSeconds(10), Duration.ofSeconds(30),
            Duration.ofSeconds(31), "gw.example.net"), new SmtpPoolSettings(8, 100, Duration.ofSeconds(30)));

    @TempDir
    Path dir;

    @Test
    void relaysTakeTheirSettingsFromTheFileAndTheRestFromTheDefaultRelay() throws IOException {
        Path password = Files.writeString(dir.resolve("eu-password"), "s3cret\n");
        Relays relays = load("""
                relays:
                  eu-primary:
                    host: smtp1.eu.example.net
                    username: gw-eu
                    passwordFile: %s
                    readTimeoutMs: 5000
                    pool: {size: 2}
                  eu-backup:
                    host: smtp2.eu.example.net
                    security: tls
                    username: gw-eu
                    passwordEnv: EU_BACKUP_PASSWORD
                routes:
                  - domains: [example.org, "*.example.net"]
                    relays: [eu-primary, eu-backup]
                """.formatted(password), Map.of("EU_BACKUP_PASSWORD", "from-env"));

        assertThat(relays.names()).containsExactly("default", "eu-primary", "eu-backup");
        SmtpSettings primary = relays.relay("eu-primary").settings();
        assertThat(primary.host()).isEqualTo("smtp1.eu.example.net");
        assertThat(primary.port()).isEqualTo(587);
        assertThat(primary.security()).isEqualTo(SmtpSecurity.STARTTLS);
        assertThat(primary.password()).isEqualTo("s3cret");
        assertThat(primary.readTimeout()).isEqualTo(Duration.ofMillis(5000));
        assertThat(primary.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(primary.writeTimeout()).isEqualTo(Duration.ofSeconds(31));
        assertThat(primary.heloName()).isEqualTo("gw.example.net");
        assertThat(relays.relay("eu-primary").pool()).isEqualTo(new SmtpPoolSettings(2, 100, Duration.ofSeconds(30)));
        SmtpSettings backup = relays.relay("eu-backup").settings();
        assertThat(backup.port()).isEqualTo(465);
        assertThat(backup.password()).isEqualTo("from-env");
        assertThat(relays.routes()).singleElement().satisfies(route -> {
            assertThat(route.relays()).containsExactly("eu-primary", "eu-backup");
            assertThat(route.matches("example.org")).isTrue();
            assertThat(route.matches("Mail.Example.NET")).isTrue();
            assertThat(route.matches("example.net")).isFalse();
            assertThat(route.matches("notexample.org")).isFalse();
        });
    }

    @Test
    void anInlinePasswordStopsStartUpWithoutEchoingIt() {
        assertThatThrownBy(() -> load("""
                relays:
                  eu-primary:
                    host: smtp1.eu.example.net
                    username: gw
                    password: hunter2
                """))
                .hasMessageContaining("relays.yaml: relays.eu-primary.password")
                .hasMessageContaining("passwordFile")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void aRouteToAnUnknownRelayNamesTheRouteAndTheRelay() {
        assertThatThrownBy(() -> load("""
                relays:
                  eu-primary: {host: smtp1.eu.example.net}
                routes:
                  - domains: [example.org]
                    relays: [eu-primary, eu-backpu]
                """))
                .hasMessageContaining("relays.yaml: routes[0].relays: unknown relay 'eu-backpu'")
                .hasMessageContaining("default, eu-primary");
    }

    static Stream<Arguments> mistakes() {
        return Stream.of(
                mistake("relays:\n  a: {host: h, pasword: x}\n", "relays.yaml: relays.a.pasword: unknown key"),
                mistake("relays:\n  a: {port: 25}\n", "relays.yaml: relays.a.host: missing"),
                mistake("relays:\n  a: {host: h, security: none}\n", "relays.a.security: none", "allowPlaintext"),
                mistake("relays:\n  a: {host: h, security: ssl3}\n", "relays.a.security: must be one of starttls, tls, none"),
                mistake("relays:\n  a: {host: h, port: 70000}\n", "relays.a.port: must be between 1 and 65535"),
                mistake("relays:\n  a: {host: h, username: u}\n", "relays.a: username needs passwordFile or passwordEnv"),
                mistake("relays:\n  a: {host: h, username: u, passwordEnv: NOT_SET_ANYWHERE}\n",
                        "relays.a.passwordEnv: the environment variable NOT_SET_ANYWHERE is not set"),
                mistake("relays:\n  a: {host: h, username: u, passwordFile: /nonexistent/pw}\n",
                        "relays.a.passwordFile: cannot read /nonexistent/pw"),
                mistake("relays:\n  a: {host: h, pool: {size: 0}}\n", "relays.a.pool.size: must be at least 1"),
                mistake("relays:\n  a: {host: h, readTimeoutMs: soon}\n",
                        "relays.a.readTimeoutMs: must be a positive number of milliseconds"),
                mistake("relays:\n  default: {host: h}\n",
                        "relays.default: the name 'default' is the relay of the SMTP_* settings"),
                mistake("relays:\n  a: {host: h}\nroutes:\n  - domains: []\n    relays: [a]\n",
                        "routes[0].domains: must be a non-empty list"),
                mistake("relays:\n  a: {host: h}\nroutes:\n  - domains: [\"a@b.org\"]\n    relays: [a]\n",
                        "routes[0].domains: 'a@b.org' is not a domain"),
                mistake("relay:\n  a: {host: h}\n", "relays.yaml: relay: unknown key"),
                mistake("relays:\n  a: {host: h, rateLimit: 10}\n",
                        "relays.a.rateLimit: must be {messages: N, per: DURATION}"),
                mistake("relays:\n  a: {host: h, rateLimit: {messages: 0, per: 1s}}\n",
                        "relays.a.rateLimit.messages: must be a whole number of at least 1"),
                mistake("relays:\n  a: {host: h, rateLimit: {messages: 5, per: soon}}\n",
                        "relays.a.rateLimit.per: not a duration"),
                mistake("routes: []\n", "needs a top-level 'relays:' map"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("mistakes")
    void mistakesNameTheFileAndTheKey(String yaml, List<String> expected) {
        AbstractThrowableAssert<?, ? extends Throwable> thrown = assertThatThrownBy(() -> load(yaml));
        expected.forEach(thrown::hasMessageContaining);
    }

    @Test
    void aMistakeNeverEchoesAValueOfTheFile() {
        assertThatThrownBy(() -> load("relays:\n  a: {host: h, username: u, passwordFile: [hunter2]}\n"))
                .hasMessageContaining("relays.yaml: relays.a.passwordFile: must be a string")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> load("relays:\n  a: {host: h, readTimeoutMs: 99999999999999999999999}\n"))
                .hasMessageContaining("relays.yaml: relays.a.readTimeoutMs: not a valid value")
                .hasMessageNotContaining("99999999999999999999999");
    }

    @Test
    void aFileThatCannotBeReadStopsStartUp() {
        assertThatThrownBy(() -> Relays.load(dir.resolve("missing.yaml"), DEFAULT, name -> null))
                .hasMessageContaining("Cannot read the relays file").hasMessageContaining("missing.yaml");
    }

    @Test
    void aRelayMayHaveASendRateLimitSharedByTheInstances() throws Exception {
        Relays relays = load("""
                relays:
                  paced: {host: smtp.example.net, rateLimit: {messages: 10, per: 1s}}
                  free: {host: smtp2.example.net}
                """);

        assertThat(relays.relay("paced").rateLimit()).isEqualTo(new RateLimit(10, Duration.ofSeconds(1)));
        assertThat(relays.relay("free").rateLimit()).isNull();
        RelayRateLimits limits = new RelayRateLimits(relays.all(), Duration.ofMillis(100));
        assertThat(limits.limits()).hasSize(1);
        limits.limits().forEach(limit -> limit.shareAmong(2));
        // 10 per second shared by two: one permit per 200 ms here, so the second within 100 ms is refused
        limits.acquire("paced");
        assertThatThrownBy(() -> limits.acquire("paced")).isInstanceOf(RelayRateLimitedException.class)
                .hasMessageContaining("relay 'paced' reached its send-rate limit (10 messages per 1s, shared by 2");
        for (int i = 0; i < 50; i++) {
            limits.acquire("free");
        }
    }

    @Test
    void withoutAFileOnlyTheDefaultRelayExists() {
        Relays relays = Relays.only(DEFAULT);
        assertThat(relays.names()).containsExactly("default");
        assertThat(relays.routes()).isEmpty();
    }

    private static Arguments mistake(String yaml, String... expected) {
        return Arguments.of(yaml, List.of(expected));
    }

    private Relays load(String yaml) throws IOException {
        return load(yaml, Map.of());
    }

    private Relays load(String yaml, Map<String, String> environment) throws IOException {
        Path file = Files.writeString(dir.resolve("relays.yaml"), yaml);
        return Relays.load(file, DEFAULT, environment::get);
    }
}
