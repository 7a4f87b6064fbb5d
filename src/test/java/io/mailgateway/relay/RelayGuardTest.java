package io.mailgateway.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.health.HealthCheck;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import io.mailgateway.smtp.RelayProbe;
import io.mailgateway.smtp.SmtpPermanentException;

/** The relay guard's probe keeps coming back whatever it throws, until the relay accepts the gateway again. */
class RelayGuardTest {

    @Test
    void aProbeThatThrowsAnythingIsFollowedByAnotherUntilTheRelayAcceptsTheGateway() throws Exception {
        AtomicInteger probes = new AtomicInteger();
        RelayProbe relay = () -> {
            switch (probes.incrementAndGet()) {
                case 1 -> throw new SmtpPermanentException("auth-failed", "535 5.7.8 still refused", null, List.of(), null);
                case 2 -> throw new IllegalStateException("no sender yet");
                case 3 -> throw new AssertionError("an Error from the probe's code");
                default -> { }
            }
        };
        try (RelayGuard guard = new RelayGuard(() -> relay, Duration.ofMillis(20))) {
            guard.setCamelContext(new DefaultCamelContext());
            guard.block(new SmtpPermanentException("auth-failed", "535 5.7.8 refused", null, List.of(), null));
            assertThat(guard.call().getState()).isEqualTo(HealthCheck.State.DOWN);

            await().atMost(Duration.ofSeconds(10)).until(() -> guard.call().getState() == HealthCheck.State.UP);
            assertThat(probes.get()).isEqualTo(4);
            guard.checkOpen();
        }
    }
}
