package io.mailgateway.preview;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.Map;

import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;

import io.mailgateway.MailGateway;
import io.mailgateway.support.FreePorts;

class PreviewSettingsTest {

    @Test
    void previewWithoutTheHttpServerStopsStartUpNamingBothSettings() {
        Main main = MailGateway.newMain(Map.of(
                "gateway.preview.enabled", "true",
                "camel.management.port", String.valueOf(FreePorts.next()),
                "camel.component.kafka.brokers", "127.0.0.1:" + FreePorts.next()));
        try {
            Throwable failure = catchThrowable(main::start);

            assertThat(failure).isNotNull();
            Throwable root = failure;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            assertThat(root).isInstanceOf(IllegalStateException.class)
                    .hasMessage("GATEWAY_PREVIEW_ENABLED=true needs GATEWAY_HTTP_ENABLED=true: the preview pages are"
                            + " served by the public HTTP server");
        } finally {
            main.stop();
        }
    }
}
