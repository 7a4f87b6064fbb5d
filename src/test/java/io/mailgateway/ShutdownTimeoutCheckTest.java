package io.mailgateway;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;

import io.mailgateway.support.FreePorts;

/** The gateway refuses to start with a shutdown timeout that a slow relay's submission could outlast. */
class ShutdownTimeoutCheckTest {

    @Test
    void gatewayRefusesToStartWhenTheShutdownTimeoutIsShorterThanTheLongestSmtpSubmission() {
        Main main = MailGateway.newMain(Map.of(
                "camel.main.shutdownTimeout", "30",
                "camel.management.port", String.valueOf(FreePorts.next()),
                // No broker needed: the check comes first.
                "camel.component.kafka.brokers", "127.0.0.1:" + FreePorts.next()));
        try {
            assertThatThrownBy(main::start)
                    .rootCause()
                    .hasMessageContaining("GATEWAY_SHUTDOWN_TIMEOUT_SECONDS (30 s)")
                    .hasMessageContaining("SMTP_READ_TIMEOUT_MS")
                    .hasMessageContaining("at least 1940");
        } finally {
            main.stop();
        }
    }
}
