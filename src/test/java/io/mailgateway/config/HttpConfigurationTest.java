package io.mailgateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.metrics.GatewayMetrics;
import io.mailgateway.support.EmptySuppressionList;
import io.mailgateway.suppress.Unsubscribes;
import io.mailgateway.tenant.Tenants;

/** One-click unsubscribe gets the secret that signs its links, or the gateway does not start. */
class HttpConfigurationTest {

    private final CamelContext context = new DefaultCamelContext();
    private final Wiring wiring = new Wiring(context, new GatewayMetrics(() -> null));
    private final EmptySuppressionList suppressionList = new EmptySuppressionList();

    @AfterEach
    void close() throws Exception {
        suppressionList.close();
        context.close();
    }

    @Test
    void unsubscribeWithoutASecretStopsStartUpNamingTheSetting() {
        HttpSettings settings = HttpSettings.from(DefaultSettings.with(Map.of("gateway.unsubscribe.enabled", "true")));

        assertThatThrownBy(() -> bind(settings)).isInstanceOf(IllegalStateException.class)
                .hasMessage("One-click unsubscribe needs a secret to sign its links: set"
                        + " GATEWAY_UNSUBSCRIBE_SECRET_FILE (or GATEWAY_UNSUBSCRIBE_SECRET)");
    }

    @Test
    void aSecretTooShortStopsStartUpWithoutShowingIt() {
        HttpSettings settings = HttpSettings.from(DefaultSettings.with(Map.of("gateway.unsubscribe.secret", "short")));

        assertThatThrownBy(() -> bind(settings)).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("GATEWAY_UNSUBSCRIBE_SECRET(_FILE): ")
                .message().doesNotContain("short");
    }

    @Test
    void unsubscribeReadsItsSecretFromTheFile(@TempDir Path dir) throws Exception {
        Path secret = Files.writeString(dir.resolve("secret"), "a-signing-secret-of-enough-length-0123456789\n");
        HttpSettings settings = HttpSettings.from(DefaultSettings.with(Map.of("gateway.unsubscribe.enabled", "true",
                "gateway.unsubscribe.secret-file", secret.toString())));

        bind(settings);

        assertThat(context.getRegistry().lookupByNameAndType("unsubscribes", Unsubscribes.class)).isNotNull();
        assertThat(context.getRegistry().lookupByName("bulkMail")).isNotNull();
        assertThat(context.getRegistry().lookupByName("previewPages")).isNotNull();
    }

    @Test
    void noSecretIsNeededWhileNothingIsSignedOrChecked() {
        bind(HttpSettings.from(DefaultSettings.with(Map.of())));

        assertThat(context.getRegistry().lookupByName("unsubscribes")).isNotNull();
    }

    private void bind(HttpSettings settings) {
        try {
            HttpConfiguration.bind(wiring, settings, Path.of("templates"), Tenants.none(), suppressionList,
                    event -> { }, Clock.systemUTC());
        } catch (IllegalStateException e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError("binding failed unexpectedly", e);
        }
    }
}
