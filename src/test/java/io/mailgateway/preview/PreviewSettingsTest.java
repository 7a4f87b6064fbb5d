package io.mailgateway.preview;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.mailgateway.support.RefusedStartUp;

class PreviewSettingsTest {

    @Test
    void previewWithoutTheHttpServerStopsStartUpNamingBothSettings() {
        assertThat(RefusedStartUp.rootCause(Map.of("gateway.preview.enabled", "true")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("GATEWAY_PREVIEW_ENABLED=true needs GATEWAY_HTTP_ENABLED=true: the preview pages are"
                        + " served by the public HTTP server");
    }
}
