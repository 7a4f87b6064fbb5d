package io.mailgateway.returnpath;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReturnPathsTest {

    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private final ReturnPaths paths = ReturnPaths.of(SECRET, "bounce.gw.test");

    @Test
    void aReturnPathMapsBackToItsRequestAndRecipient() {
        String address = paths.returnPath("ord-1042:confirmation", "Alice@Example.org", null).orElseThrow();

        assertThat(address).matches("bounces\\+[a-z2-7]{29}@bounce\\.gw\\.test");
        ReturnPaths.Token token = paths.parse(address).orElseThrow();
        assertThat(paths.matches(token, "ord-1042:confirmation", "alice@example.org")).isTrue();
        assertThat(paths.matches(token, "ord-1042:confirmation", "bob@example.org")).isFalse();
        assertThat(paths.matches(token, "ord-1043", "alice@example.org")).isFalse();
    }

    @Test
    void aMailServerFoldingTheCaseOfTheLocalPartDoesNotBreakIt() {
        String address = paths.returnPath("id-1", "bob@example.org", null).orElseThrow();

        ReturnPaths.Token token = paths.parse("<" + address.toUpperCase(Locale.ROOT) + ">").orElseThrow();

        assertThat(paths.matches(token, "id-1", "bob@example.org")).isTrue();
    }

    @Test
    void anotherKeyCannotForgeAReturnPath() {
        ReturnPaths other = ReturnPaths.of("another secret of thirty-two bytes!!".getBytes(StandardCharsets.US_ASCII),
                "bounce.gw.test");
        String forged = other.returnPath("id-1", "bob@example.org", null).orElseThrow();

        assertThat(paths.matches(paths.parse(forged).orElseThrow(), "id-1", "bob@example.org")).isFalse();
    }

    @Test
    void aTenantsBounceDomainWinsAndWithoutAnyDomainThereIsNone() {
        ReturnPaths tenantsOnly = ReturnPaths.of(SECRET, null);

        assertThat(tenantsOnly.returnPath("id-1", "bob@example.org", null)).isEmpty();
        assertThat(tenantsOnly.returnPath("id-1", "bob@example.org", "bounces.acme.example").orElseThrow())
                .endsWith("@bounces.acme.example");
        assertThat(ReturnPaths.off().returnPath("id-1", "bob@example.org", "bounces.acme.example")).isEmpty();
    }

    @Test
    void otherAddressesAreNotReturnPaths() {
        assertThat(paths.parse("bounces@bounce.gw.test")).isEmpty();
        assertThat(paths.parse("alice+news@example.org")).isEmpty();
        assertThat(paths.parse("bounces+notbase32!!@bounce.gw.test")).isEmpty();
    }

    @Test
    void aShortSecretIsRefusedWithoutShowingIt(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("secret"), "short-secret-value");

        assertThatThrownBy(() -> ReturnPaths.load(file, "bounce.gw.test"))
                .hasMessageContaining("at least 32 bytes")
                .hasMessageNotContaining("short-secret-value");
    }
}
