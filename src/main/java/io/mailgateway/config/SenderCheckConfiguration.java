package io.mailgateway.config;

import java.time.Clock;
import java.util.List;
import java.util.Optional;

import io.mailgateway.relay.Relay;
import io.mailgateway.senderchecks.DkimPublicKeys;
import io.mailgateway.senderchecks.DnsLookups;
import io.mailgateway.senderchecks.DomainCheck;
import io.mailgateway.senderchecks.StartupDomainCheck;

/** Sets up the checks of sending domains: see {@link SenderCheckSettings} for their settings. */
public final class SenderCheckConfiguration {

    private SenderCheckConfiguration() {
    }

    /** Starts the background check of the DKIM keys' domains with Camel, when there are keys and it is on. */
    static void bind(Wiring wiring, SenderCheckSettings settings, RelaySettings relays) throws Exception {
        if (settings.checkAtStart() && settings.dkimKeysDir().isPresent()) {
            DkimPublicKeys keys = new DkimPublicKeys(settings.dkimKeysDir().get());
            wiring.startWithCamel(new StartupDomainCheck(keys, () -> domainCheck(settings, relays, Clock.systemUTC())));
        }
    }

    /** A check with the gateway's relays, bounce domain and DKIM keys, and a fresh time budget. */
    public static DomainCheck domainCheck(SenderCheckSettings settings, RelaySettings relays, Clock clock) {
        List<String> hosts = relays.relays().all().stream().map(Relay::settings).map(smtp -> smtp.host()).toList();
        DnsLookups dns = new DnsLookups(settings.dnsServers(), settings.dnsTimeout(), settings.checkBudget(), clock);
        Optional<DkimPublicKeys> keys = settings.dkimKeysDir().map(DkimPublicKeys::new);
        return new DomainCheck(dns, hosts, settings.bounceDomain(), keys);
    }
}
