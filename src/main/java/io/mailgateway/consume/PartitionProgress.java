package io.mailgateway.consume;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.DefaultKafkaManualCommit;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.camel.component.kafka.consumer.errorhandler.KafkaConsumerListener;
import org.apache.camel.component.kafka.consumer.support.ProcessingResult;
import org.apache.camel.support.SynchronizationAdapter;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows every record the request consumer takes, from its poll to its result, and commits each partition up to its
 * first record that is not finished, while the consumer goes on polling.
 *
 * <p>The polling thread {@linkplain #take takes} a record and hands it to a send thread at once; it waits only while
 * {@code mostInFlight} records (or {@code mostBytesInFlight} bytes of them) are being handled. A record's route marks
 * it finished when its result was acknowledged ({@link KafkaManualCommit#commit} on the exchange), and {@linkplain
 * #close closes} it either way. After every poll camel-kafka calls {@link #afterConsume} on the polling thread, the
 * only thread that may use the Kafka consumer: each partition is committed (without waiting for the broker) past its
 * finished records up to the first one that is not, in offset order, so a later record's success never commits an
 * earlier one still pending. A partition whose first open record did not finish is sent back to that record and paused
 * ({@link PartitionRewinds}); records of that partition that follow it are not taken meanwhile, and those already being
 * handled finish and are answered with their recorded results when they are read again. Before a partition moves to
 * another consumer, its records in flight finish and it is committed ({@link #revoked}).
 */
public final class PartitionProgress extends KafkaConsumerListener implements Predicate<Object> {

    private static final Logger LOG = LoggerFactory.getLogger(PartitionProgress.class);
    /** The exchange property that carries a taken record to its send thread and back. */
    public static final String TAKEN = "gatewayTakenRecord";
    /** How often a polling thread waiting for a turn checks whether the gateway is stopping. */
    private static final long STOP_CHECK_MILLIS = 100;

    private final PartitionRewinds rewinds;
    private final int mostInFlight;
    private final long mostBytesInFlight;
    private final Duration longestWait;
    /** Each consumer's partitions with their open records, by offset; guarded by this. */
    private final Map<Owned, TreeMap<Long, Taken>> open = new HashMap<>();
    /** Records handed to send threads and not yet closed, and the bytes of their values; guarded by this. */
    private int running;
    private long bytesRunning;

    private enum State { RUNNING, FINISHED, UNFINISHED }

    /** A partition as one consumer owns it: another consumer of the instance may own it after a rebalance. */
    private record Owned(Consumer<?, ?> consumer, TopicPartition partition) {
    }

    /** A taken record; its route calls {@link #commit} once its result was acknowledged. */
    static final class Taken implements KafkaManualCommit {
        private final KafkaManualCommit handle;
        private final Owned owned;
        private final long offset;
        private final long bytes;
        private volatile boolean finished;
        /** Guarded by the {@link PartitionProgress} that took it. */
        private State state;

        Taken(KafkaManualCommit handle, Owned owned, long offset, long bytes, State state) {
            this.handle = handle;
            this.owned = owned;
            this.offset = offset;
            this.bytes = bytes;
            this.state = state;
        }

        @Override
        public void commit() {
            finished = true;
        }
    }

    /**
     * @param mostInFlight      records handled at once, across the instance's consumers; more wait in Kafka
     * @param mostBytesInFlight bytes of the values of the records handled at once; a larger record is handled alone
     * @param longestWait       how long a polling thread waits for a turn before it sends the record's partition
     *                          back, and how long a partition about to move waits for its records in flight
     */
    public PartitionProgress(PartitionRewinds rewinds, int mostInFlight, long mostBytesInFlight, Duration longestWait) {
        if (mostInFlight < 1) {
            throw new IllegalArgumentException("at least one record must be allowed in flight, not " + mostInFlight);
        }
        this.rewinds = rewinds;
        this.mostInFlight = mostInFlight;
        this.mostBytesInFlight = mostBytesInFlight;
        this.longestWait = longestWait;
    }

    /**
     * Takes the record camel-kafka hands over (its commit handle replaced by one that marks it finished) and counts
     * it in flight, waiting for a turn while {@code mostInFlight} records, or {@code mostBytesInFlight} bytes with
     * this one, are. Runs on the polling thread.
     *
     * @throws IllegalStateException when the record is not taken: it is read again from its partition
     */
    public void take(Exchange exchange) throws InterruptedException {
        Message record = exchange.getMessage();
        KafkaManualCommit handle = record.getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class);
        if (rewinds.superseded(handle)) {
            // Fetched before its partition was rewound: the copy read again after the rewind is the one handled.
            throw new IllegalStateException("the record is read again from its partition");
        }
        Owned owned = new Owned(handle instanceof DefaultKafkaManualCommit camelHandle
                ? camelHandle.getCamelExchangePayload().consumer : null,
                new TopicPartition(String.valueOf(record.getHeader(KafkaConstants.TOPIC)),
                        record.getHeader(KafkaConstants.PARTITION, Integer.class)));
        long offset = record.getHeader(KafkaConstants.OFFSET, Long.class);
        long bytes = record.getBody() instanceof byte[] value ? value.length : 0;
        Taken taken = register(exchange.getContext(), handle, owned, offset, bytes);
        exchange.setProperty(TAKEN, taken);
        record.setHeader(KafkaConstants.MANUAL_COMMIT, taken);
    }

    private synchronized Taken register(CamelContext context, KafkaManualCommit handle, Owned owned, long offset,
            long bytes) throws InterruptedException {
        long deadline = System.nanoTime() + longestWait.toNanos();
        TreeMap<Long, Taken> records = open.computeIfAbsent(owned, o -> new TreeMap<>());
        String refusal = null;
        while (refusal == null && !stopping(context) && !hasUnfinished(records)
                && (running >= mostInFlight || running > 0 && bytesRunning + bytes > mostBytesInFlight)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                refusal = "no send thread became free within " + longestWait.toMillis() + " ms";
            } else {
                wait(Math.min(TimeUnit.NANOSECONDS.toMillis(left) + 1, STOP_CHECK_MILLIS));
            }
        }
        boolean behindUnfinished = hasUnfinished(records);
        if (refusal == null) {
            refusal = stopping(context) ? "the gateway is stopping"
                    : behindUnfinished ? "an earlier record of its partition did not finish" : null;
        }
        if (refusal != null) {
            // The first record left unfinished is where its partition is sent back to; records after it are
            // covered by that.
            if (!behindUnfinished) {
                records.put(offset, new Taken(handle, owned, offset, 0, State.UNFINISHED));
            }
            throw new IllegalStateException(refusal);
        }
        Taken taken = new Taken(handle, owned, offset, bytes, State.RUNNING);
        records.put(offset, taken);
        running++;
        bytesRunning += bytes;
        return taken;
    }

    private static boolean stopping(CamelContext context) {
        return context.isStopping() || context.getStatus().isStopped();
    }

    /**
     * Closes the exchange's record once the exchange is done, on the send thread, whatever happened on its way: a
     * step of the route would be skipped after an error the route handled.
     */
    public void follow(Exchange exchange) {
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                close(done);
            }
        });
    }

    /**
     * Closes the exchange's record: finished if its route marked it so, unfinished otherwise (it failed, or was
     * not handed to a send thread). Runs on the send thread, or on the polling thread when the hand-over failed;
     * closing a record twice changes nothing.
     */
    public synchronized void close(Exchange exchange) {
        Taken taken = exchange.getProperty(TAKEN, Taken.class);
        if (taken == null || taken.state != State.RUNNING) {
            return;
        }
        taken.state = taken.finished ? State.FINISHED : State.UNFINISHED;
        running--;
        bytesRunning -= taken.bytes;
        notifyAll();
    }

    /**
     * Called by camel-kafka on the polling thread right after every poll: resumes the partitions whose pause is
     * over, then commits and rewinds this consumer's partitions. Always true: false would make camel-kafka drop
     * the records of this poll, and those would be skipped.
     */
    @Override
    public boolean afterConsume(Object polled) {
        rewinds.afterPoll(polled);
        if (polled instanceof Consumer<?, ?> consumer) {
            settle(consumer);
        }
        return true;
    }

    /**
     * Called by camel-kafka after each record it handed over: always true. camel-kafka's own answer to a failed
     * record would pause every partition of the consumer and seek them to the beginning or the end.
     */
    @Override
    public boolean afterProcess(ProcessingResult result) {
        return true;
    }

    /**
     * The until-check that Camel's pausable EIP requires next to a consumer listener. The gateway decides per
     * partition in {@link #afterConsume} instead, so this never holds the consumer back.
     */
    @Override
    public boolean test(Object ignored) {
        return true;
    }

    /**
     * Commits each of the consumer's partitions past its finished records, up to its first open one, and sends a
     * partition whose first open record did not finish back to that record. Call on the consumer's polling thread
     * ({@code null} for records whose handles belong to no consumer).
     */
    public synchronized void settle(Consumer<?, ?> consumer) {
        for (Iterator<Map.Entry<Owned, TreeMap<Long, Taken>>> partitions = open.entrySet().iterator();
                partitions.hasNext();) {
            Map.Entry<Owned, TreeMap<Long, Taken>> partition = partitions.next();
            if (partition.getKey().consumer() != consumer) {
                continue;
            }
            TreeMap<Long, Taken> records = partition.getValue();
            Taken first = records.isEmpty() ? null : records.firstEntry().getValue();
            Taken last = dropFinishedPrefix(records);
            Taken head = records.isEmpty() ? null : records.firstEntry().getValue();
            if (last != null && !commitSent(partition.getKey().partition(), last.handle)) {
                // The consumer could not even send the commit: read the finished records again (their results are
                // published again as replays) rather than leave the committed offset behind later commits.
                rewind(first);
                partitions.remove();
                continue;
            }
            if (head != null && head.state == State.UNFINISHED) {
                rewind(head);
                // Records of the partition still in flight finish on their own; read again, they get their results.
                partitions.remove();
                continue;
            }
            if (hasUnfinished(records) && consumer != null) {
                // Wait for the records before it, but fetch no more of this partition meanwhile.
                consumer.pause(Set.of(partition.getKey().partition()));
            } else if (last != null) {
                rewinds.finished(partition.getKey().partition());
            }
            if (records.isEmpty()) {
                partitions.remove();
            }
        }
    }

    private void rewind(Taken record) {
        if (!rewinds.rewind(record.handle)) {
            // Its partition is no longer this consumer's: the new owner starts at the committed offset.
            LOG.info("Records of partition {} from offset {} did not finish; the partition moved on and is read"
                    + " again from its committed offset", record.owned.partition(), record.offset);
        }
    }

    /**
     * A partition about to move to another consumer: waits (at most {@code longestWait}) for its records in flight,
     * then commits it past its finished records. Call on the polling thread, from the rebalance listener, before
     * waiting for the commits on their way.
     */
    public synchronized void revoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions)
            throws InterruptedException {
        List<Owned> leaving = new ArrayList<>();
        partitions.forEach(partition -> leaving.add(new Owned(consumer, partition)));
        long deadline = System.nanoTime() + longestWait.toNanos();
        while (leaving.stream().anyMatch(this::hasRunning)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                LOG.warn("Records of partitions {} were still being handled {} ms after the partitions were revoked;"
                        + " their new owner reads them again", partitions, longestWait.toMillis());
                break;
            }
            wait(TimeUnit.NANOSECONDS.toMillis(left) + 1);
        }
        for (Owned owned : leaving) {
            TreeMap<Long, Taken> records = open.remove(owned);
            Taken last = records == null ? null : dropFinishedPrefix(records);
            if (last != null) {
                commitSent(owned.partition(), last.handle);
            }
        }
    }

    /** Partitions lost without a revocation (the consumer fell out of its group): nothing can be committed. */
    public synchronized void lost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        partitions.forEach(partition -> open.remove(new Owned(consumer, partition)));
    }

    /** Removes the finished records at the head of a partition; returns the last of them, the one to commit. */
    private static Taken dropFinishedPrefix(TreeMap<Long, Taken> records) {
        Taken last = null;
        while (!records.isEmpty() && records.firstEntry().getValue().state == State.FINISHED) {
            last = records.pollFirstEntry().getValue();
        }
        return last;
    }

    private static boolean hasUnfinished(TreeMap<Long, Taken> records) {
        return records.values().stream().anyMatch(r -> r.state == State.UNFINISHED);
    }

    private boolean hasRunning(Owned owned) {
        TreeMap<Long, Taken> records = open.get(owned);
        return records != null && records.values().stream().anyMatch(r -> r.state == State.RUNNING);
    }

    /** Records handed to send threads and not yet closed, for operators and tests. */
    public synchronized int inFlight() {
        return running;
    }

    private static boolean commitSent(TopicPartition partition, KafkaManualCommit last) {
        try {
            Objects.requireNonNull(last, "no commit handle").commit();
            return true;
        } catch (WakeupException | InterruptException stopping) {
            throw stopping;
        } catch (RuntimeException e) {
            LOG.warn("Cannot commit partition {} of topic {}: {}", partition.partition(), partition.topic(),
                    e.getMessage());
            return false;
        }
    }
}
