package io.mailgateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

class LogSettingsTest {

    @Test
    void logsAreTextUnlessJsonIsAskedFor() {
        assertThat(LogSettings.fromEnvironment(Map.of()).format()).isEqualTo(LogSettings.Format.TEXT);
        assertThat(LogSettings.fromEnvironment(Map.of("GATEWAY_LOG_FORMAT", "text")).format())
                .isEqualTo(LogSettings.Format.TEXT);
        assertThat(LogSettings.fromEnvironment(Map.of("GATEWAY_LOG_FORMAT", "json")).format())
                .isEqualTo(LogSettings.Format.JSON);
    }

    @Test
    void anUnknownFormatIsRefusedWithTheChoices() {
        for (String unknown : new String[] {"xml", "JSON", "", " json"}) {
            assertThatThrownBy(() -> LogSettings.fromEnvironment(Map.of("GATEWAY_LOG_FORMAT", unknown)))
                    .hasMessage("GATEWAY_LOG_FORMAT must be text or json but was " + unknown);
        }
    }
}
