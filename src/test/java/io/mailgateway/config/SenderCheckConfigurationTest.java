package io.mailgateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.metrics.GatewayMetrics;
import io.mailgateway.senderchecks.StartupDomainCheck;
import io.mailgateway.support.FreePorts;
import io.mailgateway.tls.Pem;

/** The start-up check of the DKIM keys' domains runs with Camel when there are keys, unless it is turned off. */
class SenderCheckConfigurationTest {

    private final CamelContext context = new DefaultCamelContext();
    private final Wiring wiring = new Wiring(context, new GatewayMetrics(() -> null));

    @TempDir
    Path keysDir;

    @AfterEach
    void close() throws Exception {
        context.close();
    }

    @Test
    void withKeysTheCheckStartsWithCamelWhichDoesNotWaitForAnUnansweringDnsServer() throws Exception {
        bind(Map.of("gateway.dkim.keys-dir", withKey(), "gateway.dns.servers", unansweringServer(),
                "gateway.dns.timeout-ms", "5000"));

        Instant before = Instant.now();
        context.start();

        assertThat(context.hasService(StartupDomainCheck.class)).isNotNull();
        assertThat(context.hasService(StartupDomainCheck.class).isStarted()).isTrue();
        // One DNS question alone could take 5 s here.
        assertThat(Duration.between(before, Instant.now())).isLessThan(Duration.ofSeconds(4));
    }

    @Test
    void turnedOffNoCheckRuns() throws Exception {
        bind(Map.of("gateway.dkim.keys-dir", withKey(), "gateway.check-domains-at-start", "false"));
        context.start();
        assertThat(context.hasService(StartupDomainCheck.class)).isNull();
    }

    @Test
    void withoutKeysNoCheckRuns() throws Exception {
        bind(Map.of());
        context.start();
        assertThat(context.hasService(StartupDomainCheck.class)).isNull();
    }

    private void bind(Map<String, String> changes) throws Exception {
        Settings settings = DefaultSettings.with(changes);
        SenderCheckConfiguration.bind(wiring, SenderCheckSettings.from(settings), RelaySettings.from(settings));
    }

    private String withKey() throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        Pem.write(Files.createDirectories(keysDir.resolve("acme.test")).resolve("s1.pem"),
                rsa.generateKeyPair().getPrivate());
        return keysDir.toString();
    }

    /** A server nobody runs (a TEST-NET address): its questions wait for the timeout or fail, never answer. */
    private static String unansweringServer() {
        return "192.0.2.53:" + FreePorts.next();
    }
}
