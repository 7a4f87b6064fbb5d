package io.mailgateway.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.Tags;

import io.mailgateway.kafka.GroupInstances;
import io.mailgateway.relay.Relay;
import io.mailgateway.relay.RelayGuard;
import io.mailgateway.relay.RelayRateLimits;
import io.mailgateway.relay.RelayRouter;
import io.mailgateway.relay.RelaySelection;
import io.mailgateway.relay.Relays;
import io.mailgateway.relay.SharedRateLimit;
import io.mailgateway.relay.TenantRateLimits;
import io.mailgateway.returnpath.ReturnPaths;
import io.mailgateway.smtp.GatewayMailSender;
import io.mailgateway.tenant.Tenants;

/** Submits mail to the relays and holds consumption while one refuses the gateway: see {@link RelaySettings}. */
final class RelayConfiguration {

    // Longer than a refresh may be: a busy broker answering late keeps the last count, and that is all.
    private static final Duration DESCRIBE_TIMEOUT = Duration.ofSeconds(5);

    private RelayConfiguration() {
    }

    static void bind(Wiring wiring, RelaySettings settings, KafkaSettings kafka, Tenants tenants,
            ReturnPaths returnPaths) throws Exception {
        Relays relays = settings.relays();
        // One set of limiters: a second one would let each tenant send twice its limit.
        TenantRateLimits tenantLimits =
                wiring.bind("tenantRateLimits", new TenantRateLimits(tenants, settings.tenantRateWait()));
        RelayRateLimits relayLimits = new RelayRateLimits(relays.all(), settings.tenantRateWait());
        shareAmongInstances(wiring, settings, kafka, tenantLimits, relayLimits);

        // The sender camel-mail submits with: each relay with its own pool of connections, picked per tenant or
        // recipient domain, with failover.
        Map<String, GatewayMailSender> senders = new LinkedHashMap<>();
        for (Relay relay : relays.all()) {
            GatewayMailSender sender =
                    new GatewayMailSender(relay.settings(), relay.pool(), wiring.metrics()::submission);
            senders.put(relay.name(), sender);
            Tags relayTag = Tags.of("relay", relay.name());
            wiring.metrics().gauge("mail.gateway.smtp.pool.busy",
                    "Connections to the relay carrying a message now; at the pool size, messages wait for one",
                    relayTag, sender, GatewayMailSender::busyConnections);
            wiring.metrics().gauge("mail.gateway.smtp.pool.size", "The most connections open to the relay at once",
                    relayTag, relay.pool(), pool -> pool.size());
            // Stopped with Camel, after the routes: no connection to a relay outlives the gateway.
            wiring.startWithCamel(sender);
        }
        RelayRouter mailSender = wiring.bind("mailSender",
                new RelayRouter(senders, new RelaySelection(relays, tenants), wiring.metrics()::failover,
                        returnPaths, tenants, relayLimits));

        // The guard probes the sender and the sender tells the guard of refusals: the sender is built first, the
        // guard gets it, and the guard is then handed to the sender.
        RelayGuard guard = wiring.bind("relayGuard", new RelayGuard(() -> mailSender, settings.probeInterval()));
        // A relay that refuses the gateway after others took part of a message: consumption waits, as for any refusal.
        mailSender.onRefusal(guard::block);
        wiring.registerWhenStarted(guard);
    }

    /**
     * Each instance takes an equal share of every limit, the instances counted in the request consumer group, where
     * the consume route's consumers appear under this instance's id.
     */
    private static void shareAmongInstances(Wiring wiring, RelaySettings settings, KafkaSettings kafka,
            TenantRateLimits tenantLimits, RelayRateLimits relayLimits) throws Exception {
        wiring.context().getPropertiesComponent().addOverrideProperty("gateway.instance-id", settings.instanceId());
        List<SharedRateLimit> limits = new ArrayList<>(tenantLimits.limits());
        limits.addAll(relayLimits.limits());
        if (limits.isEmpty()) {
            return;
        }
        GroupInstances instances = new GroupInstances(
                GroupInstances.of(kafka.clients(), settings.groupId(), DESCRIBE_TIMEOUT),
                settings.instanceId(), settings.instancesRefresh(), System::nanoTime,
                count -> limits.forEach(limit -> limit.shareAmong(count)));
        wiring.bind("groupInstances", instances);
        wiring.metrics().gauge("mail.gateway.rate.limit.instances",
                "Gateway instances the rate limits are shared among; 0: not known, no permits are granted",
                instances, GroupInstances::count);
        wiring.startWithCamel(instances);
    }
}
