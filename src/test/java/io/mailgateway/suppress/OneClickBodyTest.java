package io.mailgateway.suppress;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OneClickBodyTest {

    @ParameterizedTest(name = "{0} [{1}]: {2}")
    @CsvSource(delimiter = '|', nullValues = "none", value = {
        "application/x-www-form-urlencoded | List-Unsubscribe=One-Click | true",
        "application/x-www-form-urlencoded; charset=UTF-8 | List-Unsubscribe=One-Click | true",
        "Application/X-WWW-Form-Urlencoded | other=1&List-Unsubscribe=One-Click | true",
        "application/x-www-form-urlencoded | List-Unsubscribe%3DOne-Click | false",
        "application/x-www-form-urlencoded | List-Unsubscribe=One-Click%zz | false",
        "application/x-www-form-urlencoded | List-Unsubscribe=Yes | false",
        "application/x-www-form-urlencoded | '' | false",
        "text/plain | List-Unsubscribe=One-Click | false",
        "none | List-Unsubscribe=One-Click | false",
        "multipart/form-data | List-Unsubscribe=One-Click | false",
    })
    void onlyTheRfc8058FieldCounts(String contentType, String body, boolean oneClick) {
        assertThat(OneClickBody.isOneClick(contentType, body.getBytes(StandardCharsets.UTF_8))).isEqualTo(oneClick);
    }

    @Test
    void formFieldsTheServerHasReadAlreadyCountAsTheBody() {
        String form = "application/x-www-form-urlencoded";
        assertThat(OneClickBody.isOneClick(form, Map.of("List-Unsubscribe", "One-Click"))).isTrue();
        assertThat(OneClickBody.isOneClick(form, Map.of("List-Unsubscribe", List.of("x", "One-Click")))).isTrue();
        assertThat(OneClickBody.isOneClick(form, Map.of("List-Unsubscribe", "Yes"))).isFalse();
        assertThat(OneClickBody.isOneClick(form, Map.of())).isFalse();
        assertThat(OneClickBody.isOneClick(form, "List-Unsubscribe=One-Click")).isTrue();
        assertThat(OneClickBody.isOneClick(form, 42)).isFalse();
    }

    @ParameterizedTest(name = "field {0} = {1}: {2}")
    @CsvSource({"List-Unsubscribe, One-Click, true", "List-Unsubscribe, Yes, false", "Unsubscribe, One-Click, false"})
    void multipartFormDataAsMailProvidersSendIt(String name, String value, boolean oneClick) {
        String body = "--b0undary\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value
                + "\r\n--b0undary--\r\n";

        assertThat(OneClickBody.isOneClick("multipart/form-data; boundary=b0undary",
                body.getBytes(StandardCharsets.UTF_8))).isEqualTo(oneClick);
    }
}
