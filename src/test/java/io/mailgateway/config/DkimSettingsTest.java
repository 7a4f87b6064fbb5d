package io.mailgateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.tenant.Tenant.WithoutDkimKey;

class DkimSettingsTest {

    @TempDir
    Path keysDir;

    @Test
    void defaultsSignNothingAndSendMailOfDomainsWithoutAKey() {
        DkimSettings settings = DkimSettings.from(settings(Map.of()));

        assertThat(settings.keysDir()).isEmpty();
        assertThat(settings.rescanInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.withoutKey()).isEqualTo(WithoutDkimKey.SEND);
    }

    @Test
    void readsTheKeysDirectoryAndThePolicy() {
        DkimSettings settings = DkimSettings.from(settings(Map.of("gateway.dkim.keys-dir", keysDir.toString(),
                "gateway.dkim.without-key", "Refuse", "gateway.dkim.rescan-interval", "30s")));

        assertThat(settings.keysDir()).contains(keysDir);
        assertThat(settings.rescanInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings.withoutKey()).isEqualTo(WithoutDkimKey.REFUSE);
    }

    @Test
    void aMissingKeysDirectoryRefusesToStartNamingTheSetting() {
        assertThatThrownBy(() -> DkimSettings.from(settings(Map.of("gateway.dkim.keys-dir",
                keysDir.resolve("absent").toString()))))
                .hasMessageContaining("GATEWAY_DKIM_KEYS_DIR").hasMessageContaining("absent");
    }

    @Test
    void anUnknownPolicyOrANonPositiveIntervalRefusesToStartNamingTheSetting() {
        assertThatThrownBy(() -> DkimSettings.from(settings(Map.of("gateway.dkim.without-key", "sign"))))
                .hasMessageContaining("GATEWAY_DKIM_WITHOUT_KEY").hasMessageContaining("send or refuse");
        assertThatThrownBy(() -> DkimSettings.from(settings(Map.of("gateway.dkim.rescan-interval", "0s"))))
                .hasMessageContaining("GATEWAY_DKIM_RESCAN_INTERVAL");
    }

    private static Settings settings(Map<String, String> overrides) {
        return DefaultSettings.with(overrides);
    }
}
