package io.mailgateway.idempotency;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.mailgateway.attempt.Attempt;
import io.mailgateway.attempt.Decision;
import io.mailgateway.kafka.KafkaClients;
import io.mailgateway.local.LocalKafkaBroker;
import io.mailgateway.result.DeliveryResult;
import io.mailgateway.result.DeliveryResult.Status;
import io.mailgateway.result.ResultWriter;

/** Outcomes written to a real broker as the gateway writes them, for tests of what reads them back. */
final class PublishedOutcomes {

    private PublishedOutcomes() {
    }

    /**
     * Publishes a request's outcome as the gateway does, with its result and its state record; returns once Kafka
     * acknowledged both.
     */
    static void publish(LocalKafkaBroker broker, KafkaClients clients, CompletedRequests completed,
            DeliveryResult result) {
        String results = "results-" + UUID.randomUUID();
        broker.createTopics(1, results);
        OutcomePublisher publisher = new OutcomePublisher(clients.outcomeWriter(5, 15_000, 1 << 20), results,
                "unused-retries", new ResultWriter(), retry -> retry.id().getBytes(StandardCharsets.UTF_8), completed);
        publisher.start();
        try {
            publisher.publish(Attempt.ofHeldOutcome(new Decision(result, null)));
        } finally {
            publisher.stop();
        }
    }

    /** A SENT result for the request id. */
    static DeliveryResult sent(String id) {
        return new DeliveryResult(id, Status.SENT, true, "<" + id + "@example.org>", 1, null, List.of(), null,
                Map.of("order", id), null, "t0", "t1");
    }
}
