package io.mailgateway.config;

import java.time.Clock;

import io.mailgateway.idempotency.CompletedRequests;
import io.mailgateway.idempotency.OutcomePublisher;
import io.mailgateway.result.ResultWriter;
import io.mailgateway.retry.RetryQueue;

/**
 * Remembers completed requests from the state topic, and publishes outcomes (retry, result, state) together: see
 * {@link IdempotencySettings} for the settings.
 */
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
        bindOutcomePublisher(wiring, settings, kafka, topics, completed);
        return completed;
    }

    // The result writer and the retry queue are bound before (results, then retry): they say how records are written.
    private static void bindOutcomePublisher(Wiring wiring, IdempotencySettings settings, KafkaSettings kafka,
            Topics topics, CompletedRequests completed) throws Exception {
        ResultWriter resultWriter = wiring.context().getRegistry().lookupByNameAndType("resultWriter",
                ResultWriter.class);
        RetryQueue retryQueue = wiring.context().getRegistry().lookupByNameAndType("retryQueue", RetryQueue.class);
        OutcomePublisher publisher = wiring.bind("outcomePublisher", new OutcomePublisher(
                kafka.clients().outcomeWriter(settings.linger().toMillis(), settings.maxBlock().toMillis(),
                        settings.maxRecordBytes()),
                topics.results(), topics.retry(), resultWriter, retryQueue::toJson, completed));
        wiring.startWithCamel(publisher);
    }
}
