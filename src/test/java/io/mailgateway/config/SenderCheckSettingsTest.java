package io.mailgateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class SenderCheckSettingsTest {

    @Test
    void byDefaultTheSystemsResolversAreAskedAndDomainsCheckedAtStart() {
        SenderCheckSettings settings = SenderCheckSettings.from(DefaultSettings.with(Map.of()));
        assertThat(settings.dnsServers()).isEmpty();
        assertThat(settings.dnsTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.checkBudget()).isEqualTo(Duration.ofSeconds(100));
        assertThat(settings.checkAtStart()).isTrue();
        assertThat(settings.dkimKeysDir()).isEmpty();
    }

    @Test
    void dnsServersAreAListOfHostsWithOptionalPorts() {
        SenderCheckSettings settings = SenderCheckSettings.from(DefaultSettings.with(Map.of(
                "gateway.dns.servers", "10.0.0.53, 127.0.0.1:5353,[::1]:53", "gateway.check-domains-at-start", "false")));
        assertThat(settings.dnsServers()).isEqualTo(List.of("10.0.0.53", "127.0.0.1:5353", "[::1]:53"));
        assertThat(settings.checkAtStart()).isFalse();
    }

    @Test
    void aBrokenSettingIsRefusedByItsName() {
        assertThatThrownBy(() -> SenderCheckSettings.from(DefaultSettings.with(Map.of("gateway.dns.servers",
                "127.0.0.1:99999")))).hasMessageContaining("GATEWAY_DNS_SERVERS");
        assertThatThrownBy(() -> SenderCheckSettings.from(DefaultSettings.with(Map.of("gateway.dns.timeout-ms",
                "0")))).hasMessage("GATEWAY_DNS_TIMEOUT_MS must be positive but was 0");
        assertThatThrownBy(() -> SenderCheckSettings.from(DefaultSettings.with(Map.of(
                "gateway.check-domains-at-start", "yes"))))
                .hasMessage("GATEWAY_CHECK_DOMAINS_AT_START must be true or false but was yes");
    }
}
