package io.mailgateway.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.tenant.Tenant.RateLimit;
import io.mailgateway.tenant.Tenants;

/** Which relays each recipient goes to: the tenant's, else the first matching domain route, else the default relay. */
class RelaySelectionTest {

    @TempDir
    Path dir;

    Relays relays;

    @BeforeEach
    void relays() throws IOException {
        relays = Relays.load(Files.writeString(dir.resolve("relays.yaml"), """
                relays:
                  eu-primary: {host: smtp1.eu.example.net}
                  eu-backup: {host: smtp2.eu.example.net}
                  us: {host: smtp.us.example.com}
                routes:
                  - domains: [example.org, "*.example.net"]
                    relays: [eu-primary, eu-backup]
                  - domains: ["*.sub.example.net", example.com]
                    relays: [us]
                """), RelaysTest.DEFAULT, name -> null);
    }

    @Test
    void recipientsAreGroupedByTheFirstMatchingRouteAndTheRestGoToTheDefaultRelay() throws Exception {
        RelaySelection selection = new RelaySelection(relays, Tenants.none());

        List<RelayGroup> groups = selection.groups(null, addresses("a@example.org", "b@example.com",
                "c@deep.sub.example.net", "d@elsewhere.test", "e@EXAMPLE.ORG"));

        assertThat(groups).extracting(RelayGroup::relays).containsExactly(
                List.of("eu-primary", "eu-backup"), List.of("us"), List.of("default"));
        assertThat(groups.get(0).envelope()).extracting(InternetAddress::getAddress)
                // the first matching route wins: *.example.net comes before *.sub.example.net
                .containsExactly("a@example.org", "c@deep.sub.example.net", "e@EXAMPLE.ORG");
        assertThat(groups.get(1).envelope()).extracting(InternetAddress::getAddress).containsExactly("b@example.com");
        assertThat(groups.get(2).envelope()).extracting(InternetAddress::getAddress).containsExactly("d@elsewhere.test");
    }

    @Test
    void aTenantsRelaysTakeEveryRecipientOfItsRequests() throws Exception {
        Tenants tenants = tenants("""
                tenants:
                  acme:
                    relays: [us, default]
                  beta:
                    from: noreply@beta.example
                """);
        RelaySelection selection = new RelaySelection(relays, tenants);

        assertThat(selection.groups("acme", addresses("a@example.org", "b@elsewhere.test")))
                .singleElement().satisfies(group -> {
                    assertThat(group.relays()).containsExactly("us", "default");
                    assertThat(group.envelope()).hasSize(2);
                });
        // a tenant without relays is routed by domain
        assertThat(selection.groups("beta", addresses("a@example.org"))).extracting(RelayGroup::relays)
                .containsExactly(List.of("eu-primary", "eu-backup"));
    }

    @Test
    void withoutARelaysFileEveryRecipientGoesToTheDefaultRelay() throws Exception {
        RelaySelection selection = new RelaySelection(Relays.only(RelaysTest.DEFAULT), Tenants.none());

        assertThat(selection.groups("acme", addresses("a@example.org", "b@example.com")))
                .singleElement().extracting(RelayGroup::relays).isEqualTo(List.of("default"));
    }

    @Test
    void tenantsFileReadsRelaysAndRateLimit() throws IOException {
        Tenants tenants = tenants("""
                tenants:
                  acme:
                    relays: [eu-primary, eu-backup]
                    rateLimit: {messages: 10, per: 1s}
                  slow:
                    rateLimit: {messages: 3, per: 1m}
                  plain: {from: a@b.example}
                """);

        assertThat(tenants.find("acme")).hasValueSatisfying(t -> {
            assertThat(t.relays()).containsExactly("eu-primary", "eu-backup");
            assertThat(t.rateLimit()).isEqualTo(new RateLimit(10, Duration.ofSeconds(1)));
            assertThat(t.rateLimit().interval()).isEqualTo(Duration.ofMillis(100));
        });
        assertThat(tenants.find("slow").orElseThrow().rateLimit().interval()).isEqualTo(Duration.ofSeconds(20));
        assertThat(tenants.find("plain").orElseThrow()).satisfies(t -> {
            assertThat(t.relays()).isEmpty();
            assertThat(t.rateLimit()).isNull();
        });
    }

    @Test
    void tenantsFileMistakesNameTheFileAndTheKey() {
        assertThatThrownBy(() -> tenants("tenants:\n  acme:\n    relays: [eu-primary, nowhere]\n"))
                .hasMessageContaining("tenants.yaml: tenants.acme.relays: unknown relay 'nowhere'");
        assertThatThrownBy(() -> tenants("tenants:\n  acme:\n    relays: []\n"))
                .hasMessageContaining("tenants.acme.relays: must be a non-empty list");
        assertThatThrownBy(() -> tenants("tenants:\n  acme:\n    rateLimit: 10\n"))
                .hasMessageContaining("tenants.acme.rateLimit: must be {messages: N, per: DURATION}");
        assertThatThrownBy(() -> tenants("tenants:\n  acme:\n    rateLimit: {messages: 0, per: 1s}\n"))
                .hasMessageContaining("tenants.acme.rateLimit.messages: must be a whole number of at least 1");
        assertThatThrownBy(() -> tenants("tenants:\n  acme:\n    rateLimit: {messages: 5, per: soon}\n"))
                .hasMessageContaining("tenants.acme.rateLimit.per: not a duration");
        assertThatThrownBy(() -> tenants("tenants:\n  acme:\n    rateLimit: {messages: 5, per: 1s, burst: 3}\n"))
                .hasMessageContaining("tenants.acme.rateLimit.burst: unknown key");
    }

    @Test
    void theExampleTenantsFileWorksWithoutARelaysFileAsLocalModeUsesIt() {
        Tenants tenants = Tenants.load(Path.of("docs/examples/tenants.yaml"));
        new RelaySelection(Relays.only(RelaysTest.DEFAULT), tenants);

        assertThat(tenants.find("acme").orElseThrow().relays()).isEmpty();
        assertThat(tenants.find("acme").orElseThrow().rateLimit()).isEqualTo(new RateLimit(10, Duration.ofSeconds(1)));
    }

    /** Reads a tenants file and checks its relays against the configured ones, as start-up does. */
    private Tenants tenants(String yaml) throws IOException {
        Tenants tenants = Tenants.load(Files.writeString(dir.resolve("tenants.yaml"), yaml));
        new RelaySelection(relays, tenants);
        return tenants;
    }

    private static List<InternetAddress> addresses(String... addresses) {
        return Arrays.stream(addresses).map(a -> {
            try {
                return new InternetAddress(a, true);
            } catch (AddressException e) {
                throw new IllegalArgumentException(e);
            }
        }).toList();
    }

}
