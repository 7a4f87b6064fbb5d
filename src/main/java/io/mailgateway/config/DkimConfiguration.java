package io.mailgateway.config;

import java.time.Clock;

import io.mailgateway.dkim.DkimKeys;
import io.mailgateway.dkim.MessageSigner;
import io.mailgateway.tenant.Tenants;

/** The DKIM signing step of routes/deliver.camel.yaml: see {@link DkimSettings} for its settings. */
final class DkimConfiguration {

    private DkimConfiguration() {
    }

    static MessageSigner bind(Wiring wiring, DkimSettings settings, Tenants tenants, Clock clock) {
        // Every key file present at start must be valid: a broken key refuses to start, naming the file.
        DkimKeys keys = settings.keysDir().map(dir -> DkimKeys.load(dir, settings.rescanInterval(), clock))
                .orElseGet(DkimKeys::none);
        return wiring.bind("dkimSigner", new MessageSigner(keys, tenants, settings.withoutKey(), clock));
    }
}
