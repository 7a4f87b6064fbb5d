package io.mailgateway.enrich;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Specifies how the profile service's URL is built: the address can only ever be one path segment. */
class ProfileUrlTemplateTest {

    private static final ProfileUrlTemplate PEOPLE = ProfileUrlTemplate.parse("https://profiles.internal/v1/people/{address}");

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

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "the plain address is encoded as one path segment | https://profiles.internal/v1/people/{address} "
                    + "| ada@example.org | https://profiles.internal/v1/people/ada%40example.org",
            "non-ASCII addresses are encoded as UTF-8 | https://profiles.internal/v1/people/{address} "
                    + "| jörg@bücher.example | https://profiles.internal/v1/people/j%C3%B6rg%40b%C3%BCcher.example",
            "text around the placeholder is kept | https://p.internal/v2/{address}/profile?fields=name "
                    + "| a@b.example | https://p.internal/v2/a%40b.example/profile?fields=name"})
    void theAddressIsExpandedIntoTheTemplate(String behaviour, String template, String address, String url) {
        assertThat(ProfileUrlTemplate.parse(template).expand(address)).isEqualTo(url);
    }

    @ParameterizedTest(name = "{0} is refused: {1}")
    @CsvSource(delimiter = '|', value = {
            "https://p.internal/v1/people                | {address} exactly once",
            "https://p.internal/{address}/{address}      | {address} exactly once",
            "https://{address}/people                    | must be in the path",
            "https://p.internal/people?email={address}   | must be in the path",
            "ftp://p.internal/{address}                  | http:// or https://",
            "file:///etc/{address}                       | http:// or https://",
            "https://user:secret@p.internal/{address}    | credentials do not belong in the URL",
            "https://p.internal/{address}#top            | fragment"})
    void aTemplateMustHaveThePlaceholderOnceInThePathOfAnHttpUrl(String template, String reason) {
        assertThatThrownBy(() -> ProfileUrlTemplate.parse(template))
                .hasMessageContaining(reason)
                .hasMessageNotContaining("secret");
    }
}
