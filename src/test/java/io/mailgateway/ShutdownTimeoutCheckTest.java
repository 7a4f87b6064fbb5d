package io.mailgateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.mailgateway.support.RefusedStartUp;

/** The gateway refuses to start with a shutdown timeout that a slow relay's submission could outlast. */
class ShutdownTimeoutCheckTest {

    @Test
    void gatewayRefusesToStartWhenTheShutdownTimeoutIsShorterThanTheLongestSmtpSubmission() {
        assertThat(RefusedStartUp.rootCause(Map.of("camel.main.shutdownTimeout", "30")))
                .hasMessageContaining("GATEWAY_SHUTDOWN_TIMEOUT_SECONDS (30 s)")
                .hasMessageContaining("SMTP_READ_TIMEOUT_MS")
                .hasMessageContaining("at least 1940");
    }
}
