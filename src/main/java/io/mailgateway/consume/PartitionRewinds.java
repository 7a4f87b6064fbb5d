package io.mailgateway.consume;

import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.camel.component.kafka.consumer.CommitManager;
import org.apache.camel.component.kafka.consumer.DefaultKafkaManualCommit;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.camel.component.kafka.consumer.KafkaManualCommitFactory;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a partition whose batch did not finish back to its first unfinished record and pauses it for a while, on
 * the consumer's own thread and without leaving the consumer group, so a refusing relay or a stuck record never
 * makes the group rebalance.
 *
 * <p>Three hooks make this work. {@link #afterPoll}, which the route's consumer listener ({@link
 * PartitionProgress}) calls on the polling thread right after every poll, counts the polls and resumes each
 * partition once its pause is over. {@link #commitFactory()} stamps each record's commit handle with the poll that
 * fetched it: camel-kafka turns a poll's records into exchanges only after the listener ran for that poll, so a
 * record fetched before its partition was rewound must be recognised by its poll and left alone.
 * {@link #rewind} seeks and pauses, called by {@link PartitionProgress} on the polling thread. The pause doubles
 * with every rewind in a row, up to a bound, and starts again from the shortest once the partition commits again.
 *
 * <p>camel-kafka's own means do not fit: {@code breakOnFirstError} closes the consumer and subscribes anew (a
 * rebalance of the whole group each time), {@code pollOnError} acts on failed polls, not on records the route left
 * unfinished, suspending the Camel consumer pauses every partition of every consumer thread and seeks them all, and
 * the consumer listener's own {@code afterProcess} is not called for batches and would seek to the beginning or the
 * end.
 */
public final class PartitionRewinds {

    private static final Logger LOG = LoggerFactory.getLogger(PartitionRewinds.class);

    private final Duration firstPause;
    private final Duration longestPause;
    /** Polls per Kafka consumer; weak, as camel-kafka replaces a consumer that failed. */
    private final Map<Consumer<?, ?>, AtomicLong> polls = Collections.synchronizedMap(new WeakHashMap<>());
    private final Map<TopicPartition, Fetch> rewoundAt = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Integer> rewindsInARow = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Paused> paused = new ConcurrentHashMap<>();
    private final AtomicLong rewinds = new AtomicLong();
    private final Runnable rewound;

    /** A poll of one consumer. */
    private record Fetch(Consumer<?, ?> consumer, long poll) {
    }

    /** A partition held back until a point in time, by the consumer that owns it. */
    private record Paused(Consumer<?, ?> consumer, long untilNanos) {
    }

    /**
     * A commit handle that remembers the poll that fetched its record, and commits without waiting for the broker:
     * the polling thread goes on to its next poll while the commit travels. Kafka applies a consumer's commits in
     * the order they were sent, and a partition about to move waits for them ({@link CommittedStartSubscribeAdapter}).
     * A commit the broker refuses is logged; the partition's next commit covers it, and if the partition moves
     * before that, its new owner reads those records again and answers them with their recorded results.
     */
    static final class StampedCommit extends DefaultKafkaManualCommit {
        private final long poll;

        StampedCommit(KafkaManualCommitFactory.CamelExchangePayload exchange, KafkaManualCommitFactory.KafkaRecordPayload record,
                long poll) {
            super(exchange, record);
            this.poll = poll;
        }

        /** Commits the partition past this record, without waiting; call on the consumer's polling thread. */
        @Override
        public void commit() {
            TopicPartition partition = getPartition();
            long next = getRecordOffset() + 1;
            getCamelExchangePayload().consumer.commitAsync(Map.of(partition, new OffsetAndMetadata(next)),
                    (offsets, failure) -> {
                        if (failure != null) {
                            LOG.warn("Kafka did not take the commit of partition {} of topic {} at offset {}: {}",
                                    partition.partition(), partition.topic(), next, failure.getMessage());
                        }
                    });
        }
    }

    /** @param rewound told of every rewind, for the metrics */
    public PartitionRewinds(Duration firstPause, Duration longestPause, Runnable rewound) {
        if (firstPause.isNegative() || longestPause.compareTo(firstPause) < 0) {
            throw new IllegalArgumentException("GATEWAY_REWIND_BACKOFF_MS must not be negative and"
                    + " GATEWAY_REWIND_BACKOFF_MAX_MS not below it, but they were " + firstPause.toMillis() + " and "
                    + longestPause.toMillis());
        }
        this.firstPause = firstPause;
        this.longestPause = longestPause;
        this.rewound = rewound;
    }

    /**
     * The request consumer's commit handles, stamped, which commit without waiting. The factory is no subclass of
     * camel-kafka's default one on purpose: camel-kafka then keeps the commit manager it used without a factory,
     * which commits only when a handle says so.
     */
    public KafkaManualCommitFactory commitFactory() {
        return new KafkaManualCommitFactory() {
            @Override
            public KafkaManualCommit newInstance(CamelExchangePayload exchange, KafkaRecordPayload record,
                    CommitManager commitManager) {
                return new StampedCommit(exchange, record, currentPoll(exchange.consumer));
            }
        };
    }

    /**
     * Whether the record behind this handle was fetched before its partition was last rewound: it is read again
     * from the rewound position, so this copy must be neither handled nor committed.
     */
    boolean superseded(KafkaManualCommit handle) {
        if (!(handle instanceof StampedCommit stamped)) {
            return false;
        }
        Fetch rewound = rewoundAt.get(stamped.getPartition());
        // Another consumer's polls do not count: a partition that moved starts afresh at its committed offset.
        return rewound != null && rewound.consumer() == stamped.getCamelExchangePayload().consumer
                && stamped.poll <= rewound.poll();
    }

    private long currentPoll(Consumer<?, ?> consumer) {
        AtomicLong count = polls.get(consumer);
        return count == null ? 0 : count.get();
    }

    /**
     * Seeks the record's partition back to this record and pauses it; call on the consumer's polling thread.
     *
     * @return false when that is impossible: the handle is not camel-kafka's, or the partition is no longer this
     *         consumer's (the group moved it, and its new owner starts at the committed offset anyway)
     */
    boolean rewind(KafkaManualCommit firstUnfinished) {
        if (!(firstUnfinished instanceof DefaultKafkaManualCommit handle)) {
            return false;
        }
        Consumer<?, ?> consumer = handle.getCamelExchangePayload().consumer;
        TopicPartition partition = handle.getPartition();
        if (consumer == null || !consumer.assignment().contains(partition)) {
            return false;
        }
        consumer.seek(partition, handle.getRecordOffset());
        consumer.pause(Set.of(partition));
        // Every record of the partition fetched up to the current poll is a copy of one read again after the seek.
        rewoundAt.put(partition, new Fetch(consumer, currentPoll(consumer)));
        int inARow = rewindsInARow.merge(partition, 1, Integer::sum);
        Duration pause = pause(inARow);
        paused.put(partition, new Paused(consumer, System.nanoTime() + pause.toNanos()));
        rewinds.incrementAndGet();
        rewound.run();
        LOG.info("Partition {} did not finish from offset {}: it is read again from there in {} ms", partition,
                handle.getRecordOffset(), pause.toMillis());
        return true;
    }

    /** Records of this partition finished and were committed: its next rewind pauses it only briefly again. */
    void finished(TopicPartition partition) {
        rewindsInARow.remove(partition);
    }

    /** How long to hold a partition back after this many rewinds in a row: doubling, bounded. */
    Duration pause(int inARow) {
        Duration pause = firstPause;
        for (int i = 1; i < inARow && pause.compareTo(longestPause) < 0; i++) {
            pause = pause.multipliedBy(2);
        }
        return pause.compareTo(longestPause) > 0 ? longestPause : pause;
    }

    /** Rewinds since start-up, for operators and tests. */
    public long rewinds() {
        return rewinds.get();
    }

    /**
     * Call on the polling thread after every poll: resumes the partitions of this consumer whose pause is over, and
     * forgets those it no longer owns (a rebalance resumes them anyway).
     */
    public void afterPoll(Object polled) {
        if (!(polled instanceof Consumer<?, ?> consumer)) {
            return;
        }
        polls.computeIfAbsent(consumer, c -> new AtomicLong()).incrementAndGet();
        if (paused.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        Set<TopicPartition> assignment = consumer.assignment();
        paused.forEach((partition, hold) -> {
            if (hold.consumer() != consumer) {
                return;
            }
            if (!assignment.contains(partition)) {
                paused.remove(partition, hold);
            } else if (now - hold.untilNanos() >= 0) {
                consumer.resume(Set.of(partition));
                paused.remove(partition, hold);
            }
        });
    }
}
