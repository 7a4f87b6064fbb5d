package io.mailgateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.mailgateway.request.AllowedHeaders;
import io.mailgateway.request.MailRequest;
import io.mailgateway.request.RequestLimits;
import io.mailgateway.request.RequestParser;
import io.mailgateway.request.RequestRejectedException;

/** GATEWAY_ALLOWED_HEADERS: producers may set only the X- headers the operator lists, by name or by prefix. */
class AllowedHeadersTest {

    @Test
    void theDefaultAllowsEveryXHeaderAndNothingElse() {
        AllowedHeaders defaults = AllowedHeaders.anyXHeader();

        assertThat(defaults.allows("X-Campaign")).isTrue();
        assertThat(defaults.allows("x-anything-at-all")).isTrue();
        assertThat(defaults.allows("Bcc")).isFalse();
        assertThat(defaults.allows("Xmas")).isFalse();
    }

    @Test
    void namesAndPrefixPatternsMatchRegardlessOfCase() {
        AllowedHeaders allowed = AllowedHeaders.parse(" X-Campaign , x-tenant-* ");

        assertThat(allowed.allows("X-Campaign")).isTrue();
        assertThat(allowed.allows("x-CAMPAIGN")).isTrue();
        assertThat(allowed.allows("X-Tenant-Id")).isTrue();
        assertThat(allowed.allows("X-Campaign-Id")).isFalse();
        assertThat(allowed.allows("X-Priority")).isFalse();
        assertThat(allowed.allows("X-Tenant")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "NONE", "", " , "})
    void noneOrNothingAllowsNoCustomHeader(String setting) {
        assertThat(AllowedHeaders.parse(setting).allows("X-Campaign")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Subject", "X-Campaign,Bcc", "*", "X-*-Id", "Content-*", "X-Campaign:", "X-Tenant *",
            "Reply-To", "X-\u010D\u010ABcc"})
    void settingsThatWouldOpenStandardHeadersStopStartUp(String setting) {
        assertThatThrownBy(() -> AllowedHeaders.parse(setting))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("GATEWAY_ALLOWED_HEADERS: ");
    }

    @Test
    void theParserRejectsHeadersOffTheListNamingTheField() {
        RequestParser parser = new RequestParser(RequestLimits.defaults(), AllowedHeaders.parse("X-Campaign"));

        MailRequest allowed = parser.parse(request("{\"X-Campaign\": \"autumn\"}"));
        assertThat(allowed.headers()).containsExactly(java.util.Map.entry("X-Campaign", "autumn"));
        assertThatThrownBy(() -> parser.parse(request("{\"X-Campaign\": \"autumn\", \"X-Originating-IP\": \"10.0.0.1\"}")))
                .isInstanceOfSatisfying(RequestRejectedException.class, e -> {
                    assertThat(e.category()).isEqualTo("invalid-request");
                    assertThat(e.detail()).isEqualTo("headers.X-Originating-IP: not an allowed header");
                });
    }

    private static byte[] request(String headers) {
        return ("{\"id\": \"h-1\", \"to\": [\"a@example.org\"], \"subject\": \"s\", \"text\": \"t\", \"headers\": "
                + headers + "}").getBytes(StandardCharsets.UTF_8);
    }
}
