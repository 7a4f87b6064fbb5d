package io.mailgateway.bounce;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.camel.health.HealthCheck;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mailgateway.background.BackgroundHealthCheck;
import io.mailgateway.background.BackgroundService;
import io.mailgateway.background.RestartBackoff;
import io.mailgateway.background.SupervisedThread;
import io.mailgateway.events.DeliveryEvent;
import io.mailgateway.events.EventPublisher;
import io.mailgateway.kafka.KafkaClients;

/**
 * Lets one instance at a time read the bounce mailbox: the member of a consumer group of its own that Kafka assigns
 * partition 0 of the events topic holds the mailbox, starts the mailbox route, and stops it (waiting for the report
 * in hand) as soon as the partition is taken away. Before it starts reading, it reads back the events published
 * within the window, so reports another instance published but had not yet filed are not published twice.
 */
public class MailboxLease extends BackgroundService {

    private static final Logger LOG = LoggerFactory.getLogger(MailboxLease.class);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration READ_BACK_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration ROUTE_STOP_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaClients clients;
    private final String topic;
    private final String groupId;
    private final String routeId;
    private final ReportLedger ledger;
    private final Duration window;
    private final Clock clock;
    private final SupervisedThread thread;

    private volatile KafkaConsumer<String, byte[]> member;
    private volatile boolean holding;

    /**
     * @param groupId the consumer group the instances compete in for the mailbox
     * @param routeId the mailbox route, which must not start by itself
     * @param window  how far back events are read when the mailbox is taken over
     */
    public MailboxLease(KafkaClients clients, String topic, String groupId, String routeId, ReportLedger ledger,
            Duration window, Clock clock) {
        this.clients = clients;
        this.topic = topic;
        this.groupId = groupId;
        this.routeId = routeId;
        this.ledger = ledger;
        this.window = window;
        this.clock = clock;
        this.thread = new SupervisedThread("bounce mailbox lease", LOG, RestartBackoff.DEFAULT, this::hold,
                this::wakeUp);
    }

    /** Whether this instance reads the mailbox now. */
    public boolean holding() {
        return holding;
    }

    /** Readiness: DOWN while the group cannot be joined (then no instance may be reading the mailbox). */
    public HealthCheck healthCheck() {
        return new BackgroundHealthCheck("bounce-mailbox-lease", thread::failure);
    }

    private void hold() throws Exception {
        try (KafkaConsumer<String, byte[]> consumer = clients.groupMember(groupId, 1)) {
            // A subscription to a missing topic waits for ever without an error: no instance would read the mailbox
            // and nothing would say why. Failing here makes readiness DOWN with the reason, and the thread retries.
            if (consumer.partitionsFor(topic, READ_BACK_TIMEOUT).isEmpty()) {
                throw new IllegalStateException("the events topic " + topic
                        + " does not exist: the bounce mailbox is not read until it does");
            }
            member = consumer;
            consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    // Membership is all this consumer is for: it fetches nothing.
                    consumer.pause(consumer.assignment());
                    if (partitions.contains(new TopicPartition(topic, 0))) {
                        take();
                    }
                }

                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    if (partitions.contains(new TopicPartition(topic, 0))) {
                        release();
                    }
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    onPartitionsRevoked(partitions);
                }
            });
            while (!thread.stopping()) {
                consumer.poll(POLL);
                thread.healthy();
            }
        } finally {
            member = null;
            release();
        }
    }

    private void take() {
        ledger.clear();
        int events = readBack();
        LOG.info("This instance reads the bounce mailbox now ({} events of the last {} days read back)", events,
                window.toDays());
        try {
            getCamelContext().getRouteController().startRoute(routeId);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the route " + routeId, e);
        }
        holding = true;
    }

    private void release() {
        if (!holding) {
            return;
        }
        holding = false;
        try {
            getCamelContext().getRouteController().stopRoute(routeId, ROUTE_STOP_TIMEOUT.toSeconds(),
                    TimeUnit.SECONDS);
            LOG.info("This instance no longer reads the bounce mailbox");
        } catch (Exception e) {
            LOG.warn("The route {} did not stop: {}", routeId, SupervisedThread.describe(e));
        }
    }

    /** Reads the events of the window into the ledger and returns how many there were. */
    private int readBack() {
        try (KafkaConsumer<String, byte[]> reader = clients.recordReader()) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo info : reader.partitionsFor(topic, READ_BACK_TIMEOUT)) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
            reader.assign(partitions);
            Map<TopicPartition, Long> since = new HashMap<>();
            long from = clock.millis() - window.toMillis();
            partitions.forEach(partition -> since.put(partition, from));
            Map<TopicPartition, OffsetAndTimestamp> starts = reader.offsetsForTimes(since, READ_BACK_TIMEOUT);
            Map<TopicPartition, Long> ends = new HashMap<>(reader.endOffsets(partitions, READ_BACK_TIMEOUT));
            for (TopicPartition partition : partitions) {
                OffsetAndTimestamp start = starts.get(partition);
                reader.seek(partition, start == null ? ends.get(partition) : start.offset());
            }
            int count = 0;
            long deadline = System.nanoTime() + READ_BACK_TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(p -> reader.position(p) < ends.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("cannot read back the events of " + topic + " within "
                            + READ_BACK_TIMEOUT.toSeconds() + " s");
                }
                for (ConsumerRecord<String, byte[]> record : reader.poll(POLL)) {
                    if (record.offset() < ends.get(new TopicPartition(topic, record.partition()))
                            && remember(record)) {
                        count++;
                    }
                }
            }
            return count;
        }
    }

    private boolean remember(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            return false;
        }
        DeliveryEvent event;
        try {
            event = EventPublisher.fromJson(record.value());
        } catch (Exception notAnEvent) {
            return false;
        }
        if (event.recipient() == null || event.event() == null) {
            return false;
        }
        ledger.remember(event);
        if (event.event() == DeliveryEvent.Type.BOUNCED && event.bounce() != null
                && event.bounce().type() == DeliveryEvent.BounceType.SOFT) {
            ledger.countSoftBounce(event.recipient(), record.timestamp());
        }
        return true;
    }

    private void wakeUp() {
        KafkaConsumer<String, byte[]> consumer = member;
        if (consumer != null) {
            consumer.wakeup();
        }
    }

    @Override
    protected void doStart() {
        thread.start(executors());
    }

    @Override
    protected void doStop() {
        thread.stop(Duration.ofSeconds(45));
    }
}
