package io.mailgateway.metrics;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mailgateway.background.BackgroundService;
import io.mailgateway.kafka.KafkaClients;

/**
 * How many requests wait in the request topics for the gateway's consumer group: end offsets minus committed
 * offsets, summed over partitions. Asked of the brokers at most every few seconds, when metrics are scraped, on the
 * scraping thread (it has none of its own); an admin client that keeps failing is replaced, so one fault of the
 * client does not leave the lag unknown for good.
 */
public final class ConsumerLag extends BackgroundService {

    private static final long MAX_AGE_NANOS = TimeUnit.SECONDS.toNanos(10);

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerLag.class);
    private static final int RENEW_AFTER_FAILURES = 3;

    private final KafkaClients clients;
    private Admin admin;
    private boolean failing;
    private int failures;
    private boolean closed;
    private final String groupId;
    private final List<String> topics;
    private long measuredAt;
    private double lag = Double.NaN;

    /** @param topics the request topics: the shared one and every tenant's */
    public ConsumerLag(KafkaClients clients, String groupId, List<String> topics) {
        this.clients = clients;
        this.admin = clients.admin();
        this.groupId = groupId;
        this.topics = List.copyOf(topics);
    }

    /** The lag, or NaN while the brokers cannot tell. */
    public synchronized double lag() {
        if (measuredAt != 0 && System.nanoTime() - measuredAt < MAX_AGE_NANOS) {
            return lag;
        }
        measuredAt = System.nanoTime();
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId)
                    .partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(topics).allTopicNames().get(5, TimeUnit.SECONDS).forEach((topic, description) ->
                    description.partitions().forEach(p -> latest.put(new TopicPartition(topic, p.partition()),
                            OffsetSpec.latest())));
            Map<TopicPartition, ListOffsetsResultInfo> ends = admin.listOffsets(latest).all().get(5, TimeUnit.SECONDS);
            long sum = 0;
            for (Map.Entry<TopicPartition, ListOffsetsResultInfo> end : ends.entrySet()) {
                OffsetAndMetadata done = committed.get(end.getKey());
                sum += end.getValue().offset() - (done == null ? 0 : done.offset());
            }
            lag = sum;
            if (failing) {
                LOG.info("The consumer lag of {} is known again", groupId);
                failing = false;
            }
            failures = 0;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            lag = Double.NaN;
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            if (!failing) {
                LOG.warn("Cannot measure the consumer lag of {} (reported as NaN until it can): {}", groupId,
                        cause.toString());
                failing = true;
            }
            // A client whose own thread has died fails every call with a timeout, just as one whose brokers are away:
            // after a few failures in a row it is replaced, whatever they were (a new client costs little).
            if (++failures % RENEW_AFTER_FAILURES == 0) {
                renewAdmin();
            }
        }
        return lag;
    }

    private void renewAdmin() {
        if (closed) {
            return;
        }
        try {
            admin.close(Duration.ofSeconds(1));
        } catch (RuntimeException e) {
            LOG.debug("Closing the failed admin client failed too", e);
        }
        admin = clients.admin();
    }

    @Override
    protected void doStart() {
        // The admin client connects on first use.
    }

    @Override
    protected synchronized void doStop() {
        closed = true;
        admin.close(Duration.ofSeconds(5));
    }
}
