package io.mailgateway.suppress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

import org.junit.jupiter.api.Test;

import io.mailgateway.suppress.UnsubscribeTokens.Claims;
import io.mailgateway.suppress.UnsubscribeTokens.InvalidTokenException;

class UnsubscribeTokensTest {

    private static final String SECRET = "0123456789abcdef0123456789abcdef-test";
    private static final Instant ISSUED = Instant.parse("2026-12-01T10:00:00Z");

    private final UnsubscribeTokens tokens = new UnsubscribeTokens(SECRET);

    @Test
    void signedTokenVerifiesToItsTenantNormalisedAddressAndIssueTime() {
        String token = tokens.sign("acme", "  Alice@Example.ORG ", ISSUED);

        assertThat(token).matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
        assertThat(tokens.verify(token)).isEqualTo(new Claims("acme", "alice@example.org", ISSUED, null));
    }

    @Test
    void aTokenIssuedForARequestNamesItsRequestId() {
        String token = tokens.sign("acme", "alice@example.org", ISSUED, "news-2026-12");

        assertThat(tokens.verify(token).requestId()).isEqualTo("news-2026-12");
    }

    @Test
    void tokenDoesNotCarryTheAddressInClearText() {
        assertThat(tokens.sign("acme", "alice@example.org", ISSUED)).doesNotContain("alice");
    }

    @Test
    void payloadChangedUnderTheSignatureIsRefusedAsForged() {
        String token = tokens.sign("acme", "alice@example.org", ISSUED);
        String otherPayload = Base64.getUrlEncoder().withoutPadding().encodeToString(
                "{\"t\":\"acme\",\"a\":\"bob@example.org\",\"iat\":1764583200}".getBytes(StandardCharsets.UTF_8));
        String altered = otherPayload + token.substring(token.indexOf('.'));

        InvalidTokenException refused = catchThrowableOfType(InvalidTokenException.class, () -> tokens.verify(altered));
        assertThat(refused.malformed()).isFalse();
    }

    @Test
    void oneChangedCharacterOfTheSignatureIsRefused() {
        String token = tokens.sign("acme", "alice@example.org", ISSUED);
        char last = token.charAt(token.length() - 1);
        String altered = token.substring(0, token.length() - 1) + (last == 'A' ? 'B' : 'A');

        assertThatThrownBy(() -> tokens.verify(altered)).isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void tokenOfAnotherSecretIsRefused() {
        String foreign = new UnsubscribeTokens("another-secret-of-at-least-32-bytes!").sign("acme", "a@example.org", ISSUED);

        InvalidTokenException refused = catchThrowableOfType(InvalidTokenException.class, () -> tokens.verify(foreign));
        assertThat(refused.malformed()).isFalse();
    }

    @Test
    void malformedTokensAreRefusedAsMalformed() {
        for (String malformed : new String[] {null, "", "abc", "abc.", ".abc", "a.b.c", "!!!.???"}) {
            InvalidTokenException refused = catchThrowableOfType(InvalidTokenException.class, () -> tokens.verify(malformed));
            assertThat(refused).as(String.valueOf(malformed)).isNotNull();
            assertThat(refused.malformed()).as(String.valueOf(malformed)).isTrue();
        }
    }

    @Test
    void shortSecretIsRefusedWithoutNamingIt() {
        assertThatThrownBy(() -> new UnsubscribeTokens("too-short-secret"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 32 bytes")
                .hasMessageNotContaining("too-short-secret");
        assertThatThrownBy(() -> new UnsubscribeTokens(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void secretNeverAppearsInItsTextForm() {
        assertThat(tokens.toString()).doesNotContain(SECRET);
    }
}
