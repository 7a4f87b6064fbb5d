package io.mailgateway.config;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.function.Consumer;

import io.mailgateway.events.DeliveryEvent;
import io.mailgateway.preview.PreviewPages;
import io.mailgateway.suppress.BulkMail;
import io.mailgateway.suppress.SuppressionList;
import io.mailgateway.suppress.UnsubscribeTokens;
import io.mailgateway.suppress.Unsubscribes;
import io.mailgateway.tenant.Tenant;
import io.mailgateway.tenant.Tenants;

/** The preview pages, and bulk mail with its one-click unsubscribe: see {@link HttpSettings} for the settings. */
final class HttpConfiguration {

    private HttpConfiguration() {
    }

    /**
     * @param templatesFolder   the templates the gateway renders mails from
     * @param unsubscribeEvents publishes the UNSUBSCRIBED event of an accepted unsubscribe
     */
    static void bind(Wiring wiring, HttpSettings settings, Path templatesFolder, Tenants tenants,
            SuppressionList suppressionList, Consumer<DeliveryEvent> unsubscribeEvents, Clock clock) throws Exception {
        wiring.bind("previewPages", new PreviewPages(templatesFolder, settings.previewMailDir().orElse(null)));
        if (settings.httpEnabled()) {
            wiring.context().addStartupListener((context, alreadyStarted) -> PublicServerErrors.install(context,
                    settings.httpPort()));
        }

        // The bulk mail of tenants (their bulk: settings in the tenants file) and the endpoint that answers its
        // unsubscribe links sign and check with the same tokens.
        Map<String, Tenant.Bulk> bulk = BulkMail.settingsOf(tenants);
        boolean unsubscribe = settings.unsubscribeEnabled() || settings.hasUnsubscribeSecret();
        UnsubscribeTokens tokens = bulk.isEmpty() && !unsubscribe ? null : unsubscribeTokens(settings);
        wiring.bind("bulkMail", new BulkMail(bulk, bulk.isEmpty() ? null : tokens, clock));
        wiring.bind("unsubscribes", new Unsubscribes(unsubscribe ? tokens : null, () -> suppressionList, clock,
                unsubscribeEvents));
    }

    private static UnsubscribeTokens unsubscribeTokens(HttpSettings settings) {
        if (!settings.hasUnsubscribeSecret()) {
            throw new IllegalStateException("One-click unsubscribe needs a secret to sign its links: set"
                    + " GATEWAY_UNSUBSCRIBE_SECRET_FILE (or GATEWAY_UNSUBSCRIBE_SECRET)");
        }
        String secret = settings.unsubscribeSecretFile()
                .map(file -> Settings.readSecret(file, "GATEWAY_UNSUBSCRIBE_SECRET_FILE"))
                .orElseGet(() -> settings.unsubscribeSecret().orElseThrow());
        try {
            return new UnsubscribeTokens(secret);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("GATEWAY_UNSUBSCRIBE_SECRET(_FILE): " + e.getMessage());
        }
    }
}
