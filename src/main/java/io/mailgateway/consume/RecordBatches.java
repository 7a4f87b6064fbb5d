package io.mailgateway.consume;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;

/**
 * The records of one poll, handled in parallel and committed together. Each record's route "commits" it when its
 * result was acknowledged; that only marks it finished. Once the whole batch is through, every partition's offset
 * is committed up to its first unfinished record, while the consumer's thread waits for the batch (so nothing else
 * uses the Kafka consumer meanwhile); a later record's success never commits an earlier record still pending.
 */
public final class RecordBatches {

    /** Stands in for a record's commit handle while its batch is being handled. */
    static final class Finished implements KafkaManualCommit {
        private final KafkaManualCommit handle;
        private volatile boolean finished;

        Finished(KafkaManualCommit handle) {
            this.handle = handle;
        }

        @Override
        public void commit() {
            finished = true;
        }
    }

    /** A batch had records that did not finish; they (and what follows them in their partition) are read again. */
    public static final class UnfinishedRecordsException extends RuntimeException {
        UnfinishedRecordsException(String message) {
            super(message);
        }
    }

    /**
     * Turns the split exchange, whose body is one record's exchange, into that record: its value and the headers
     * camel-kafka set, with the commit handle replaced by one that marks the record finished.
     */
    public void open(Exchange exchange) {
        Message record = exchange.getMessage().getBody(Exchange.class).getMessage();
        if (exchange.getContext().isStopping()) {
            // Shutting down: records not yet started are left to the next consumer of their partition.
            throw new IllegalStateException("the gateway is stopping");
        }
        Finished finished = new Finished(record.getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class));
        record.setHeader(KafkaConstants.MANUAL_COMMIT, finished);
        Message message = exchange.getMessage();
        message.setHeaders(new HashMap<>(record.getHeaders()));
        message.setBody(record.getBody());
    }

    /** Commits each partition up to its first unfinished record; fails the batch when there was one. */
    public void commit(List<Exchange> records) {
        Map<Integer, List<Exchange>> byPartition = new LinkedHashMap<>();
        for (Exchange record : records) {
            Integer partition = record.getMessage().getHeader(KafkaConstants.PARTITION, Integer.class);
            byPartition.computeIfAbsent(partition, p -> new ArrayList<>()).add(record);
        }
        List<String> unfinished = new ArrayList<>();
        for (Map.Entry<Integer, List<Exchange>> partition : byPartition.entrySet()) {
            KafkaManualCommit last = null;
            // camel-kafka hands over each partition's records in offset order.
            for (Exchange record : partition.getValue()) {
                Object handle = record.getMessage().getHeader(KafkaConstants.MANUAL_COMMIT);
                if (!(handle instanceof Finished finished) || !finished.finished) {
                    unfinished.add("partition " + partition.getKey() + " from offset "
                            + record.getMessage().getHeader(KafkaConstants.OFFSET));
                    break;
                }
                last = finished.handle;
            }
            if (last != null) {
                last.commit();
            }
        }
        if (!unfinished.isEmpty()) {
            throw new UnfinishedRecordsException("records not finished, read again: " + String.join(", ", unfinished));
        }
    }
}
