package io.mailgateway.enrich;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import com.sun.net.httpserver.HttpServer;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.mailgateway.config.ProfileSettings;

/**
 * The profile lookup's Authorization header never crosses the network in clear text: start-up refuses a plain
 * http:// URL to a host other than loopback when the header is configured, and a request to such a URL fails
 * before a connection is opened. Loopback (a sidecar) and https:// are allowed.
 */
class CleartextCredentialsTest {

    private static final String SECRET = "Bearer s3cr3t-token";

    @ParameterizedTest(name = "{0} is loopback: {1}")
    @CsvSource({"localhost, true", "LOCALHOST., true", "profiles.localhost, true", "127.0.0.1, true",
            "127.8.9.10, true", "[::1], true", "::1, true", "profiles.internal, false", "10.0.0.7, false",
            "[2001:db8::1], false", "localhost.example.org, false", "cafe, false", "0.0.0.0, false"})
    void onlyLoopbackHostsCountAsLoopback(String host, boolean loopback) {
        assertThat(ProfileUrlTemplate.loopback(host)).isEqualTo(loopback);
    }

    @ParameterizedTest(name = "{0}: refused {1}")
    @CsvSource({"http://profiles.internal/v1/{address}, true", "http://10.0.0.7:8080/{address}, true",
            "https://profiles.internal/v1/{address}, false", "http://localhost:8080/{address}, false",
            "http://127.0.0.1/{address}, false", "http://[::1]:9000/{address}, false"})
    void startUpRefusesCredentialsForAPlainHttpUrlToAnotherHost(String url, boolean refused) {
        Optional<ProfileUrlTemplate> template = Optional.of(ProfileUrlTemplate.parse(url));
        if (refused) {
            assertThatThrownBy(() -> settings(template, Optional.of(Path.of("/run/secrets/profile-auth"))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContainingAll("GATEWAY_PROFILE_AUTH_HEADER_FILE", "GATEWAY_PROFILE_URL", "https://");
        } else {
            assertThat(settings(template, Optional.of(Path.of("/run/secrets/profile-auth"))).url()).isPresent();
        }
        // without credentials there is nothing to protect
        assertThat(settings(template, Optional.empty()).url()).isPresent();
    }

    @Test
    void aRequestOverPlainHttpToAnotherHostFailsWithoutSendingTheHeader() throws Exception {
        try (CloseableHttpClient http = client(SECRET)) {
            // TEST-NET-1: nothing answers there, so only a refusal before connecting ends this at once
            HttpGet get = new HttpGet("http://192.0.2.1/v1/people/ada%40example.org");
            assertThatThrownBy(() -> http.execute(get, response -> EntityUtils.toString(response.getEntity())))
                    .isInstanceOf(ProfileHttpClient.CleartextCredentialsException.class)
                    .hasMessageContaining("192.0.2.1")
                    .hasMessageNotContaining(SECRET)
                    .hasMessageNotContaining("s3cr3t");
        }
    }

    @Test
    void aRequestToLoopbackOverPlainHttpSendsTheHeader() throws Exception {
        AtomicReference<String> received = new AtomicReference<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            received.set(exchange.getRequestHeaders().getFirst("Authorization"));
            byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try (CloseableHttpClient http = client(SECRET)) {
            String body = http.execute(new HttpGet("http://127.0.0.1:" + server.getAddress().getPort() + "/p/ada"),
                    response -> EntityUtils.toString(response.getEntity()));
            assertThat(body).isEqualTo("{}");
            assertThat(received.get()).isEqualTo(SECRET);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void onlyCredentialsOverPlainHttpToAnotherHostAreRefusedAtRequestTime() throws Exception {
        new ProfileHttpClient(null, 1024, Duration.ofSeconds(1))
                .refuseCleartextCredentials(new HttpHost("http", "profiles.internal", 80));
        assertThatThrownBy(() -> new ProfileHttpClient(SECRET, 1024, Duration.ofSeconds(1))
                .refuseCleartextCredentials(new HttpHost("http", "profiles.internal", 80)))
                .isInstanceOf(ProfileHttpClient.CleartextCredentialsException.class);
        new ProfileHttpClient(SECRET, 1024, Duration.ofSeconds(1))
                .refuseCleartextCredentials(new HttpHost("https", "profiles.internal", 443));
    }

    private static CloseableHttpClient client(String authorization) {
        HttpClientBuilder builder = HttpClientBuilder.create();
        new ProfileHttpClient(authorization, 1024, Duration.ofSeconds(2)).configureHttpClient(builder);
        return builder.build();
    }

    private static ProfileSettings settings(Optional<ProfileUrlTemplate> url, Optional<Path> authHeaderFile) {
        return new ProfileSettings(url, ProfileFailurePolicy.CONTINUE, Duration.ofSeconds(2), Duration.ofMinutes(10),
                10000, 65536, authHeaderFile, Optional.empty());
    }
}
