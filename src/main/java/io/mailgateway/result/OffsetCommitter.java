package io.mailgateway.result;

import org.apache.camel.component.kafka.consumer.KafkaManualCommit;

/**
 * Commits the consumed record's offset; the routes call it only after the record's result was acknowledged,
 * so a crash before that point re-delivers the record instead of losing it.
 */
public final class OffsetCommitter {

    public void commit(KafkaManualCommit handle) {
        if (handle == null) {
            throw new IllegalStateException("no Kafka commit handle on the exchange: the consumer must allow manual commits");
        }
        // Runs on the consumer's thread (the results producer is synchronous), as the Kafka consumer requires.
        handle.commit();
    }
}
