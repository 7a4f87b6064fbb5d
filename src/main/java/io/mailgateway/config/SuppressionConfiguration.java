package io.mailgateway.config;

import java.time.Clock;

import io.mailgateway.suppress.SuppressionList;

/** Keeps the suppression list read from its topic: see {@link SuppressionSettings} for the settings. */
final class SuppressionConfiguration {

    private SuppressionConfiguration() {
    }

    static SuppressionList bind(Wiring wiring, SuppressionSettings settings, KafkaSettings kafka, Topics topics,
            Clock clock) throws Exception {
        SuppressionList list = wiring.bind("suppressionList", new SuppressionList(kafka.clients(),
                topics.suppressions(), settings.timeToLive(), clock,
                kafka.followerSettings(wiring.metrics()::poisonRecord)));
        wiring.startWithCamel(list);
        wiring.registerWhenStarted(list.healthCheck());
        wiring.metrics().gauge("mail.gateway.suppression.entries", "Addresses on the suppression list", list,
                SuppressionList::size);
        return list;
    }
}
