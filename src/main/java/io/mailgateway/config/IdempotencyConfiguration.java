package io.mailgateway.config;

import java.time.Clock;

import io.mailgateway.idempotency.CompletedRequests;

/** Remembers completed requests from the state topic: see {@link IdempotencySettings} for the settings. */
final class IdempotencyConfiguration {

    private IdempotencyConfiguration() {
    }

    static CompletedRequests bind(Wiring wiring, IdempotencySettings settings, KafkaSettings kafka, Topics topics,
            Clock clock) throws Exception {
        CompletedRequests completed = wiring.bind("completedRequests", new CompletedRequests(kafka.clients(),
                topics.state(), settings.window(), clock, kafka.followerSettings(wiring.metrics()::poisonRecord),
                settings.cacheBytes()));
        wiring.startWithCamel(completed);
        wiring.registerWhenStarted(completed.healthCheck());
        wiring.metrics().gauge("mail.gateway.idempotency.ids", "Request ids remembered for the idempotency window",
                completed, CompletedRequests::size);
        wiring.metrics().gauge("mail.gateway.idempotency.memory.bytes", "Heap taken by the remembered request ids",
                completed, CompletedRequests::memoryBytes);
        return completed;
    }
}
