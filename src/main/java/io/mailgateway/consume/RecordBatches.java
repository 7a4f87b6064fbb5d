package io.mailgateway.consume;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.DefaultKafkaManualCommit;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The records of one poll, handled in parallel and committed together. Each record's route "commits" it when its
 * result was acknowledged; that only marks it finished. Once the whole batch is through, every partition's offset
 * is committed up to its first unfinished record (without waiting for the broker: the next poll need not wait for
 * it), and a partition with an unfinished record is sent back to that record and paused for a while
 * ({@link PartitionRewinds}); a later record's success never commits an earlier record still pending. This runs on
 * the consumer's polling thread (the route's split is synchronous), the only thread that may use the Kafka consumer.
 */
public final class RecordBatches {

    private static final Logger LOG = LoggerFactory.getLogger(RecordBatches.class);

    private final PartitionRewinds rewinds;

    public RecordBatches(PartitionRewinds rewinds) {
        this.rewinds = rewinds;
    }

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

    /** A batch had records that did not finish and whose partition could not be sent back to them. */
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
        if (rewinds.superseded(record.getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class))) {
            // Fetched before its partition was rewound: the copy read again after the rewind is the one handled.
            throw new IllegalStateException("the record is read again from its partition");
        }
        Finished finished = new Finished(record.getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class));
        record.setHeader(KafkaConstants.MANUAL_COMMIT, finished);
        Message message = exchange.getMessage();
        message.setHeaders(new HashMap<>(record.getHeaders()));
        message.setBody(record.getBody());
    }

    /**
     * Commits each partition up to its first unfinished record and sends the partition back to that record. Fails
     * the batch only for a partition that could not be sent back (its handles are not camel-kafka's), so a caller
     * that cannot rewind learns that records were left unfinished.
     */
    public void commit(List<Exchange> records) {
        // By topic and partition: requests come from the shared topic and every tenant's, whose partition numbers
        // repeat.
        Map<TopicPartition, List<Exchange>> byPartition = new LinkedHashMap<>();
        for (Exchange record : records) {
            TopicPartition partition = new TopicPartition(
                    String.valueOf(record.getMessage().getHeader(KafkaConstants.TOPIC)),
                    record.getMessage().getHeader(KafkaConstants.PARTITION, Integer.class));
            byPartition.computeIfAbsent(partition, p -> new ArrayList<>()).add(record);
        }
        List<String> unfinished = new ArrayList<>();
        for (Map.Entry<TopicPartition, List<Exchange>> partition : byPartition.entrySet()) {
            Exchange first = null;
            Exchange firstUnfinished = null;
            KafkaManualCommit last = null;
            // camel-kafka hands over each partition's records in offset order.
            for (Exchange record : partition.getValue()) {
                if (rewinds.superseded(handleOf(record))) {
                    // Neither committed nor rewound again: the partition already waits at an earlier record.
                    continue;
                }
                first = first == null ? record : first;
                if (!(record.getMessage().getHeader(KafkaConstants.MANUAL_COMMIT) instanceof Finished finished)
                        || !finished.finished) {
                    firstUnfinished = record;
                    break;
                }
                last = finished.handle;
            }
            if (last != null && !commitSent(partition.getKey(), last)) {
                // The consumer could not even send the commit: read the finished records again (their results are
                // published again as replays) rather than leave the committed offset behind records that later
                // batches would commit past.
                rewindOrReport(first, unfinished);
            } else if (firstUnfinished != null) {
                rewindOrReport(firstUnfinished, unfinished);
            } else if (first != null && handleOf(first) instanceof DefaultKafkaManualCommit handle) {
                rewinds.finished(handle.getPartition());
            }
        }
        if (!unfinished.isEmpty()) {
            throw new UnfinishedRecordsException("records not finished, read again: " + String.join(", ", unfinished));
        }
    }

    private static boolean commitSent(TopicPartition partition, KafkaManualCommit last) {
        try {
            last.commit();
            return true;
        } catch (WakeupException | InterruptException stopping) {
            throw stopping;
        } catch (RuntimeException e) {
            LOG.warn("Cannot commit partition {} of topic {}: {}", partition.partition(), partition.topic(),
                    e.getMessage());
            return false;
        }
    }

    /** camel-kafka's commit handle of a record, also once {@link #open} wrapped it. */
    private static KafkaManualCommit handleOf(Exchange record) {
        Object header = record.getMessage().getHeader(KafkaConstants.MANUAL_COMMIT);
        return header instanceof Finished finished ? finished.handle
                : header instanceof KafkaManualCommit handle ? handle : null;
    }

    private void rewindOrReport(Exchange record, List<String> unfinished) {
        KafkaManualCommit handle = handleOf(record);
        if (handle == null || !rewinds.rewind(handle)) {
            unfinished.add(record.getMessage().getHeader(KafkaConstants.TOPIC) + " partition "
                    + record.getMessage().getHeader(KafkaConstants.PARTITION) + " from offset "
                    + record.getMessage().getHeader(KafkaConstants.OFFSET));
        }
    }
}
