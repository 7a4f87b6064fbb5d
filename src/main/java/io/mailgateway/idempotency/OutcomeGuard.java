package io.mailgateway.idempotency;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.health.HealthCheck;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mailgateway.attempt.Attempt;
import io.mailgateway.attempt.Decision;
import io.mailgateway.background.BackgroundHealthCheck;
import io.mailgateway.background.BackgroundService;
import io.mailgateway.kafka.KafkaClients;

/**
 * Holds consumption while the gateway cannot record outcomes in Kafka, so that a request is never sent twice
 * because Kafka said no. Two things hold it: a topic the gateway reads or writes is missing or not allowed
 * (checked with the admin client before anything is consumed, and again while held), and an outcome that could
 * not be published after its attempt (the relay may have accepted the mail). Such an outcome is kept here and
 * published again until Kafka takes it; meanwhile readiness is DOWN and every request waits in Kafka. Once it is
 * recorded, the record read again finds it in the completed requests and replays it instead of sending.
 */
public final class OutcomeGuard extends BackgroundService {

    private static final Logger LOG = LoggerFactory.getLogger(OutcomeGuard.class);
    // Longer waits would hold a consumer thread past what Kafka tolerates without a poll.
    private static final Duration LONGEST_WAIT = Duration.ofSeconds(10);
    /** Where {@link #republish} sends a held outcome: the route that publishes without committing. */
    public static final String PUBLISH_OUTCOME = "direct:publish-outcome";

    /** A topic and what the gateway does with it. */
    public record TopicUse(String topic, boolean reads, boolean writes, boolean compacted) {
    }

    private final TopicCheck topicCheck;
    private final Duration recheckInterval;
    private final Map<String, Decision> unrecorded = new ConcurrentHashMap<>();
    // Null while every topic is there and allowed; the reason otherwise.
    private volatile String topicProblem;
    private ProducerTemplate publisher;
    private ScheduledExecutorService scheduler;

    public OutcomeGuard(KafkaClients clients, List<TopicUse> topics, Duration recheckInterval) {
        this.topicCheck = new TopicCheck(clients, topics);
        this.recheckInterval = recheckInterval;
        // Nothing is consumed before the topics were checked; with no topics to check, there is nothing to wait for.
        this.topicProblem = topics.isEmpty() ? null : "the gateway's Kafka topics have not been checked yet";
    }

    /** Checks the topics now and then keeps checking, and publishing held outcomes, while consumption is held. */
    @Override
    protected void doStart() {
        publisher = getCamelContext().createProducerTemplate();
        scheduler = executors().newSingleThreadScheduledExecutor(this, "outcome-guard");
        scheduler.scheduleWithFixedDelay(this::recover, 0, recheckInterval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Interrupts a check in progress: a graceful wait would hold up shutdown while Kafka is unreachable. */
    @Override
    protected void doStop() {
        if (scheduler != null) {
            executors().shutdownNow(scheduler);
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
                String problem = topicCheck.problem();
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

    static String describe(Throwable e) {
        Set<String> causes = new LinkedHashSet<>();
        for (Throwable t = e; t != null && causes.size() < 4; t = t.getCause()) {
            causes.add(t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage()));
        }
        return String.join(" <- ", causes);
    }

    /** Readiness: DOWN, with the reason, while consumption is held. */
    public HealthCheck healthCheck() {
        return new BackgroundHealthCheck("kafka-outcomes", () -> {
            String reason = heldBecause();
            return reason == null ? null : "consumption is held: " + reason;
        });
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
