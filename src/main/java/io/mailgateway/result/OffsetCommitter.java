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
        // A request record is only marked finished here (PartitionProgress commits its partition); a retry
        // record is committed at once, on the retry timer's thread that owns its consumer.
        handle.commit();
    }
}
