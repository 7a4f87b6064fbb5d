package io.mailgateway.support;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

import io.mailgateway.idempotency.CompletedRequests;
import io.mailgateway.kafka.KafkaClients;
import io.mailgateway.result.DeliveryResult;

/** For route tests without Kafka: nothing completed before, and completions only reported to the test. */
public final class ForgetfulCompletedRequests extends CompletedRequests {

    private final Runnable onComplete;

    public ForgetfulCompletedRequests(Runnable onComplete) {
        // Never connects: no method that would talk to Kafka is left.
        super(new KafkaClients(Map.of("bootstrap.servers", "localhost:1")), "mail.state", Duration.ofDays(7),
                Clock.systemUTC());
        this.onComplete = onComplete;
    }

    @Override
    public DeliveryResult find(String id) {
        return null;
    }

    @Override
    public void recorded(ProducerRecord<String, byte[]> record, RecordMetadata written) {
        onComplete.run();
    }

    @Override
    public void markCatchUpPoint() {
    }

    @Override
    public void start() {
    }
}
