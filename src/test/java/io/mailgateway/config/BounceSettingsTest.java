package io.mailgateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.returnpath.ReturnPaths;
import io.mailgateway.support.RefusedStartUp;
import io.mailgateway.tenant.Tenants;

/** The gateway refuses to start with VERP it cannot sign, naming the setting and never showing the key. */
class BounceSettingsTest {

    private static final String SHORT_SECRET = "too-short-secret-value";

    @TempDir
    Path dir;

    @Test
    void aBounceDomainWithoutASecretFileRefusesStartUp() {
        Throwable refusal = RefusedStartUp.rootCause(Map.of("gateway.bounce.domain", "bounces.example.org"));

        assertThat(refusal).hasMessageContaining("GATEWAY_BOUNCE_DOMAIN is set")
                .hasMessageContaining("GATEWAY_BOUNCE_SECRET_FILE");
    }

    @Test
    void aSecretShorterThan32BytesRefusesStartUpWithoutShowingIt() throws Exception {
        Path secret = Files.writeString(dir.resolve("bounce-secret"), SHORT_SECRET);

        Throwable refusal = RefusedStartUp.rootCause(Map.of("gateway.bounce.domain", "bounces.example.org",
                "gateway.bounce.secret-file", secret.toString()));

        assertThat(refusal).hasMessageStartingWith("GATEWAY_BOUNCE_SECRET_FILE: ")
                .hasMessageContaining("at least 32 bytes")
                .message().doesNotContain(SHORT_SECRET);
    }

    @Test
    void aSecretFileThatCannotBeReadRefusesStartUp() {
        Throwable refusal = RefusedStartUp.rootCause(Map.of("gateway.bounce.domain", "bounces.example.org",
                "gateway.bounce.secret-file", dir.resolve("missing").toString()));

        assertThat(refusal).hasMessage("GATEWAY_BOUNCE_SECRET_FILE: cannot read " + dir.resolve("missing"));
    }

    @Test
    void aTenantsBounceDomainWithoutASecretFileRefusesStartUpNamingTheTenant() throws Exception {
        Path tenants = Files.writeString(dir.resolve("tenants.yaml"), """
                tenants:
                  acme:
                    bounceDomain: bounces.acme.example
                """);

        Throwable refusal = RefusedStartUp.rootCause(Map.of("gateway.tenants-file", tenants.toString()));

        assertThat(refusal).hasMessageContaining("acme").hasMessageContaining("bounceDomain")
                .hasMessageContaining("GATEWAY_BOUNCE_SECRET_FILE");
    }

    @Test
    void aBounceDomainThatIsNotADomainRefusesStartUp() {
        Throwable refusal = RefusedStartUp.rootCause(Map.of("gateway.bounce.domain", "bounces@example.org"));

        assertThat(refusal).hasMessage("GATEWAY_BOUNCE_DOMAIN is not a domain name: 'bounces@example.org'");
    }

    @Test
    void withADomainAndAKeyEveryRecipientGetsAReturnPathUnderTheDomain() throws Exception {
        Path secret = Files.write(dir.resolve("bounce-secret"),
                "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
        BounceSettings settings = BounceSettings.from(DefaultSettings.with(Map.of(
                "gateway.bounce.domain", "Bounces.Example.org", "gateway.bounce.secret-file", secret.toString())));

        ReturnPaths returnPaths = BounceConfiguration.returnPaths(settings, Tenants.none());

        assertThat(returnPaths.enabled()).isTrue();
        assertThat(returnPaths.returnPath("order-1", "alice@example.org", null))
                .hasValueSatisfying(path -> assertThat(path).startsWith("bounces+").endsWith("@bounces.example.org"));
    }

    @Test
    void withoutADomainOrAKeyVerpIsOff() {
        BounceSettings settings = BounceSettings.from(DefaultSettings.with(Map.of()));

        assertThat(BounceConfiguration.returnPaths(settings, Tenants.none()).enabled())
                .isFalse();
    }
}
