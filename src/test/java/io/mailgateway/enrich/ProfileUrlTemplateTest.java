package io.mailgateway.enrich;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;

import org.junit.jupiter.api.Test;

/** Specifies how the profile service's URL is built: the address can only ever be one path segment. */
class ProfileUrlTemplateTest {

    private static final ProfileUrlTemplate PEOPLE = ProfileUrlTemplate.parse("https://profiles.internal/v1/people/{address}");

    @Test
    void thePlainAddressIsEncodedAsOnePathSegment() {
        assertThat(PEOPLE.expand("ada@example.org")).isEqualTo("https://profiles.internal/v1/people/ada%40example.org");
    }

    @Test
    void charactersWithAMeaningInUrlsStayInsideTheSegment() {
        String url = PEOPLE.expand("a+b/../c?d=1&e#f%41{{g}}@example.org");

        assertThat(url).isEqualTo("https://profiles.internal/v1/people/"
                + "a%2Bb%2F..%2Fc%3Fd%3D1%26e%23f%2541%7B%7Bg%7D%7D%40example.org");
        URI uri = URI.create(url);
        assertThat(uri.getHost()).isEqualTo("profiles.internal");
        assertThat(uri.getRawQuery()).isNull();
        assertThat(uri.getRawFragment()).isNull();
        assertThat(uri.getPath()).isEqualTo("/v1/people/a+b/../c?d=1&e#f%41{{g}}@example.org");
    }

    @Test
    void anAddressCannotReachAnotherHostOrUser() {
        String url = ProfileUrlTemplate.parse("http://profiles.internal:8080/{address}").expand("x@evil.example:80/y");

        URI uri = URI.create(url);
        assertThat(uri.getHost()).isEqualTo("profiles.internal");
        assertThat(uri.getPort()).isEqualTo(8080);
        assertThat(uri.getRawUserInfo()).isNull();
        assertThat(uri.getRawPath()).isEqualTo("/x%40evil.example%3A80%2Fy");
    }

    @Test
    void nonAsciiAddressesAreEncodedAsUtf8() {
        assertThat(PEOPLE.expand("jörg@bücher.example")).endsWith("/j%C3%B6rg%40b%C3%BCcher.example");
    }

    @Test
    void textAroundThePlaceholderIsKept() {
        ProfileUrlTemplate template = ProfileUrlTemplate.parse("https://p.internal/v2/{address}/profile?fields=name");

        assertThat(template.expand("a@b.example")).isEqualTo("https://p.internal/v2/a%40b.example/profile?fields=name");
    }

    @Test
    void aTemplateMustHaveThePlaceholderOnceInThePathOfAnHttpUrl() {
        assertThatThrownBy(() -> ProfileUrlTemplate.parse("https://p.internal/v1/people"))
                .hasMessageContaining("{address} exactly once");
        assertThatThrownBy(() -> ProfileUrlTemplate.parse("https://p.internal/{address}/{address}"))
                .hasMessageContaining("{address} exactly once");
        assertThatThrownBy(() -> ProfileUrlTemplate.parse("https://{address}/people"))
                .hasMessageContaining("must be in the path");
        assertThatThrownBy(() -> ProfileUrlTemplate.parse("https://p.internal/people?email={address}"))
                .hasMessageContaining("must be in the path");
        assertThatThrownBy(() -> ProfileUrlTemplate.parse("ftp://p.internal/{address}"))
                .hasMessageContaining("http:// or https://");
        assertThatThrownBy(() -> ProfileUrlTemplate.parse("file:///etc/{address}"))
                .hasMessageContaining("http:// or https://");
        assertThatThrownBy(() -> ProfileUrlTemplate.parse("https://user:secret@p.internal/{address}"))
                .hasMessageContaining("credentials do not belong in the URL")
                .hasMessageNotContaining("secret");
        assertThatThrownBy(() -> ProfileUrlTemplate.parse("https://p.internal/{address}#top"))
                .hasMessageContaining("fragment");
    }
}
