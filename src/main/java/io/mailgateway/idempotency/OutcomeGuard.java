package io.mailgateway.idempotency;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.Service;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mailgateway.attempt.Attempt;
import io.mailgateway.attempt.Decision;

/**
 * Holds consumption while the gateway cannot record outcomes in Kafka, so that a request is never sent twice
 * because Kafka said no. Two things hold it: a topic the gateway reads or writes is missing or not allowed
 * (checked with the admin client before anything is consumed, and again while held), and an outcome that could
 * not be published after its attempt (the relay may have accepted the mail). Such an outcome is kept here and
 * published again until Kafka takes it; meanwhile readiness is DOWN and every request waits in Kafka. Once it is
 * recorded, the record read again finds it in the completed requests and replays it instead of sending.
 */
public final class OutcomeGuard extends AbstractHealthCheck implements Service {

    private static final Logger LOG = LoggerFactory.getLogger(OutcomeGuard.class);
    // Longer waits would hold a consumer thread past what Kafka tolerates without a poll.
    private static final Duration LONGEST_WAIT = Duration.ofSeconds(10);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration ADMIN_CLOSE_TIMEOUT = Duration.ofSeconds(1);
    /** Where {@link #republish} sends a held outcome: the route that publishes without committing. */
    public static final String PUBLISH_OUTCOME = "direct:publish-outcome";

    /** A topic and what the gateway does with it. */
    public record TopicUse(String topic, boolean reads, boolean writes, boolean compacted) {
    }

    private final Map<String, Object> kafkaProperties;
    private final List<TopicUse> topics;
    private final Duration recheckInterval;
    private final Map<String, Decision> unrecorded = new ConcurrentHashMap<>();
    // Null while every topic is there and allowed; the reason otherwise.
    private volatile String topicProblem;
    private final Set<String> warnedNotCompacted = ConcurrentHashMap.newKeySet();
    private ProducerTemplate publisher;
    private ScheduledExecutorService scheduler;

    public OutcomeGuard(Map<String, Object> kafkaProperties, List<TopicUse> topics, Duration recheckInterval) {
        super("gateway", "kafka-outcomes");
        this.kafkaProperties = Map.copyOf(kafkaProperties);
        this.topics = List.copyOf(topics);
        this.recheckInterval = recheckInterval;
        // Nothing is consumed before the topics were checked; with no topics to check, there is nothing to wait for.
        this.topicProblem = topics.isEmpty() ? null : "the gateway's Kafka topics have not been checked yet";
    }

    /** Checks the topics now and then keeps checking, and publishing held outcomes, while consumption is held. */
    @Override
    public void start() {
        CamelContext context = getCamelContext();
        publisher = context.createProducerTemplate();
        scheduler = context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "outcome-guard");
        scheduler.scheduleWithFixedDelay(this::recover, 0, recheckInterval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Interrupts a check in progress: a graceful wait would hold up shutdown while Kafka is unreachable. */
    @Override
    public void stop() {
        if (scheduler != null) {
            getCamelContext().getExecutorServiceManager().shutdownNow(scheduler);
        }
    }

    /**
     * Returns at once while outcomes can be recorded. Otherwise waits a while for that, then throws, so the
     * request is neither attempted nor committed and is read again later.
     */
    public void checkOpen() throws ConsumptionHeldException, InterruptedException {
        // Every request passes here: while nothing is held, no lock is taken.
        if (heldBecause() != null) {
            waitUntilOpen();
        }
    }

    private synchronized void waitUntilOpen() throws ConsumptionHeldException, InterruptedException {
        long deadline = System.nanoTime() + LONGEST_WAIT.toNanos();
        for (String reason = heldBecause(); reason != null; reason = heldBecause()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new ConsumptionHeldException(reason);
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    /**
     * An attempt's outcome could not be published: keep it, hold consumption, and fail the record so that it is
     * not committed. The outcome is published again in the background until Kafka takes it.
     *
     * @param failedAt the endpoint that failed, as Camel names it (the topic), or null
     */
    public void hold(Attempt attempt, Exception cause, String failedAt) {
        // Only the outcome is kept: the attempt's request may be large.
        Decision decision = attempt.outcome();
        String id = decision.result().id();
        unrecorded.put(id, decision);
        String where = failedAt == null ? "" : " at " + failedAt;
        // The id and Kafka's reason only: no request content.
        LOG.error("The outcome of request {} ({}) could not be recorded{}: {}; consumption is held until it is,"
                + " and the request is not attempted again", id, decision.result().status(), where, describe(cause));
        synchronized (this) {
            notifyAll();
        }
        throw new OutcomeNotRecordedException(id, where, describe(cause));
    }

    /** How many outcomes wait to be recorded. */
    public int unrecordedCount() {
        return unrecorded.size();
    }

    /** The reason consumption is held, or null when it is not. */
    public String heldBecause() {
        String problem = topicProblem;
        if (problem != null) {
            return problem;
        }
        if (!unrecorded.isEmpty()) {
            return unrecorded.size() + " outcome(s) not yet recorded in Kafka, e.g. request "
                    + unrecorded.keySet().iterator().next();
        }
        return null;
    }

    private void recover() {
        try {
            if (topicProblem != null || !unrecorded.isEmpty()) {
                String problem = checkTopics();
                if (Thread.currentThread().isInterrupted()) {
                    return; // stopping
                }
                if (problem == null && topicProblem != null) {
                    LOG.info("Every Kafka topic of the gateway is there and allowed");
                } else if (problem != null && !problem.equals(topicProblem)) {
                    LOG.error("Consumption is held: {}", problem);
                }
                topicProblem = problem;
            }
            if (topicProblem == null) {
                republish();
            }
        } catch (RuntimeException | Error e) {
            // This thread must survive whatever happens: it is what lets consumption go on again.
            LOG.warn("Checking the gateway's Kafka topics failed: {}", describe(e));
        }
        synchronized (this) {
            notifyAll();
        }
    }

    private void republish() {
        for (Map.Entry<String, Decision> held : new ArrayList<>(unrecorded.entrySet())) {
            Exchange done = publisher.send(PUBLISH_OUTCOME,
                    exchange -> exchange.setProperty(Attempt.PROPERTY, Attempt.ofHeldOutcome(held.getValue())));
            if (done.getException() == null) {
                unrecorded.remove(held.getKey(), held.getValue());
                LOG.info("The outcome of request {} is recorded now", held.getKey());
            } else {
                LOG.warn("The outcome of request {} still cannot be recorded: {}", held.getKey(),
                        describe(done.getException()));
                return;
            }
        }
    }

    /** Null when every topic exists and allows what the gateway does with it; else what is wrong. */
    String checkTopics() {
        Properties props = new Properties();
        props.putAll(kafkaProperties);
        Admin admin = Admin.create(props);
        try {
            List<String> names = topics.stream().map(TopicUse::topic).distinct().toList();
            Map<String, org.apache.kafka.common.KafkaFuture<TopicDescription>> described = admin.describeTopics(names,
                    new DescribeTopicsOptions().includeAuthorizedOperations(true)
                            .timeoutMs((int) ADMIN_TIMEOUT.toMillis())).topicNameValues();
            List<String> problems = new ArrayList<>();
            for (TopicUse use : topics) {
                try {
                    TopicDescription topic = described.get(use.topic()).get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    String missingRight = missingRight(use, topic.authorizedOperations());
                    if (missingRight != null) {
                        problems.add("no " + missingRight + " right on topic " + use.topic());
                    }
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                        problems.add("topic " + use.topic() + " does not exist");
                    } else if (e.getCause() instanceof TopicAuthorizationException) {
                        problems.add("no DESCRIBE right on topic " + use.topic());
                    } else {
                        return "cannot check the Kafka topics: " + describe(e.getCause());
                    }
                } catch (TimeoutException e) {
                    return "cannot reach Kafka to check the topics";
                }
            }
            if (problems.isEmpty()) {
                warnIfNotCompacted(admin);
            }
            return problems.isEmpty() ? null : String.join("; ", problems);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while checking the Kafka topics";
        } finally {
            // Closing waits for calls still pending; while Kafka is unreachable, that would hold up shutdown.
            admin.close(ADMIN_CLOSE_TIMEOUT);
        }
    }

    private static String missingRight(TopicUse use, Set<AclOperation> allowed) {
        // Null when the broker has no authorizer: everything is allowed then.
        if (allowed == null || allowed.contains(AclOperation.ALL)) {
            return null;
        }
        if (use.reads() && !allowed.contains(AclOperation.READ)) {
            return "READ";
        }
        if (use.writes() && !allowed.contains(AclOperation.WRITE)) {
            return "WRITE";
        }
        return null;
    }

    // A state topic that is not compacted still works, but grows without end; worth saying, not worth stopping for.
    private void warnIfNotCompacted(Admin admin) {
        List<ConfigResource> compacted = topics.stream().filter(TopicUse::compacted)
                .map(use -> new ConfigResource(ConfigResource.Type.TOPIC, use.topic()))
                .filter(resource -> !warnedNotCompacted.contains(resource.name())).toList();
        if (compacted.isEmpty()) {
            return;
        }
        try {
            Map<ConfigResource, Config> configs = admin.describeConfigs(compacted).all()
                    .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            configs.forEach((resource, config) -> {
                var policy = config.get(TopicConfig.CLEANUP_POLICY_CONFIG);
                if (policy == null || !policy.value().contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
                    warnedNotCompacted.add(resource.name());
                    LOG.warn("Topic {} is not compacted (cleanup.policy={}); it keeps every record it was ever given",
                            resource.name(), policy == null ? "?" : policy.value());
                }
            });
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("Cannot read the cleanup policy of the state topics: {}", describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String describe(Throwable e) {
        Set<String> causes = new LinkedHashSet<>();
        for (Throwable t = e; t != null && causes.size() < 4; t = t.getCause()) {
            causes.add(t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage()));
        }
        return String.join(" <- ", causes);
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        String reason = heldBecause();
        if (reason == null) {
            builder.up();
        } else {
            builder.message("consumption is held: " + reason).down();
        }
    }

    /** Thrown instead of attempting a request while outcomes cannot be recorded. */
    public static final class ConsumptionHeldException extends Exception {
        ConsumptionHeldException(String reason) {
            super("consumption is held (" + reason + "); the request waits in Kafka");
        }
    }

    /** An attempt's outcome could not be recorded; it is kept and published again, and the record is not committed. */
    public static final class OutcomeNotRecordedException extends RuntimeException {
        OutcomeNotRecordedException(String id, String where, String cause) {
            super("the outcome of request " + id + " could not be recorded" + where + " (" + cause
                    + "); it is kept and published again");
        }
    }
}
