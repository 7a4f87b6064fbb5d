package io.mailgateway.kafka;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import java.util.function.LongSupplier;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.ConsumerGroupState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mailgateway.background.BackgroundService;
import io.mailgateway.background.SupervisedThread;

/**
 * Counts the gateway instances in the request consumer group, each known by the client id its consumers share, so
 * that limits can be split evenly among them; 0 means not known, and a limit then grants nothing.
 *
 * <p>Only a group at rest (stable) is counted: mid-rebalance the member list is incomplete and would count too few.
 * An instance that just joined reports no count until its own id has been in the group for a grace period, so that
 * the instances already running have counted it before it sends. While the group cannot be described the last count
 * stays; an instance absent from a stable group is counted by no one else and so takes no share.
 */
public final class GroupInstances extends BackgroundService {

    private static final Logger LOG = LoggerFactory.getLogger(GroupInstances.class);

    /** What one look at the group showed. */
    public record Members(boolean stable, Set<String> clientIds) {

        public Members {
            clientIds = Set.copyOf(clientIds);
        }
    }

    /** Describes the group once. */
    @FunctionalInterface
    public interface Membership extends AutoCloseable {
        Members describe() throws Exception;

        @Override
        default void close() {
        }
    }

    private final Membership membership;
    private final String self;
    private final Duration refresh;
    private final long graceNanos;
    private final LongSupplier nanoTime;
    private final IntConsumer onCount;
    private volatile int count;
    private Long selfSeenSince;
    private boolean failing;
    private ScheduledExecutorService scheduler;

    /**
     * @param self    this instance's client id in the group
     * @param refresh how often the group is described; the grace for a new instance is twice this
     * @param onCount told each new count, 0 included
     */
    public GroupInstances(Membership membership, String self, Duration refresh, LongSupplier nanoTime,
            IntConsumer onCount) {
        this.membership = membership;
        this.self = self;
        this.refresh = refresh;
        this.graceNanos = refresh.multipliedBy(2).toNanos();
        this.nanoTime = nanoTime;
        this.onCount = onCount;
    }

    /** The members of the consumer group {@code groupId}, as the brokers describe them. */
    public static Membership of(KafkaClients clients, String groupId, Duration timeout) {
        return new AdminMembership(clients, groupId, timeout);
    }

    private static final class AdminMembership implements Membership {

        private final KafkaClients clients;
        private final String groupId;
        private final Duration timeout;
        private Admin admin;

        AdminMembership(KafkaClients clients, String groupId, Duration timeout) {
            this.clients = clients;
            this.groupId = groupId;
            this.timeout = timeout;
        }

        @Override
        public synchronized Members describe() throws Exception {
            if (admin == null) {
                admin = clients.admin();
            }
            ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(groupId)).describedGroups()
                    .get(groupId).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            Set<String> ids = new HashSet<>();
            for (MemberDescription member : group.members()) {
                ids.add(member.clientId());
            }
            return new Members(group.state() == ConsumerGroupState.STABLE, ids);
        }

        @Override
        public synchronized void close() {
            if (admin != null) {
                admin.close(Duration.ofSeconds(1));
                admin = null;
            }
        }
    }

    /** The instances the limits are split among now; 0 while not known. */
    public int count() {
        return count;
    }

    /** Looks at the group once and passes on a changed count. */
    public synchronized void refresh() {
        Members members;
        try {
            members = membership.describe();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            if (!failing) {
                failing = true;
                LOG.warn("Cannot count the gateway instances ({}); rate limits stay shared among {}",
                        SupervisedThread.describe(e), count == 0 ? "none (no permits)" : count + " instances");
            }
            return;
        }
        if (failing) {
            failing = false;
            LOG.info("The gateway instances can be counted again");
        }
        if (!members.stable()) {
            return;
        }
        long now = nanoTime.getAsLong();
        if (!members.clientIds().contains(self)) {
            selfSeenSince = null;
            if (count != 0) {
                LOG.warn("This instance ({}) is not in the request consumer group: the others do not count it, so it"
                        + " takes no share of the rate limits", self);
            }
            change(0);
            return;
        }
        if (selfSeenSince == null) {
            selfSeenSince = now;
        }
        if (count == 0 && now - selfSeenSince < graceNanos) {
            return;
        }
        change(members.clientIds().size());
    }

    private void change(int next) {
        if (next != count) {
            LOG.info("Rate limits are shared among {} gateway instance(s)", next);
            count = next;
            onCount.accept(next);
        }
    }

    @Override
    protected void doStart() {
        scheduler = executors().newSingleThreadScheduledExecutor(this, "group-instances");
        scheduler.scheduleWithFixedDelay(this::refresh, 0, refresh.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    protected void doStop() {
        if (scheduler != null) {
            executors().shutdownNow(scheduler);
            scheduler = null;
        }
        closeAll(membership);
    }
}
