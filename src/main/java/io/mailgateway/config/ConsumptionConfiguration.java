package io.mailgateway.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.camel.Exchange;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.spi.HeaderFilterStrategy;

import io.mailgateway.attempt.AttemptSteps;
import io.mailgateway.attempt.RequestLogContext;
import io.mailgateway.consume.CommittedStartSubscribeAdapter;
import io.mailgateway.consume.PartitionProgress;
import io.mailgateway.consume.PartitionRewinds;
import io.mailgateway.idempotency.CompletedRequests;
import io.mailgateway.idempotency.InFlightRequests;
import io.mailgateway.idempotency.OutcomeGuard;
import io.mailgateway.idempotency.OutcomeGuard.TopicUse;
import io.mailgateway.render.RenderPermits;
import io.mailgateway.tenant.Tenants;

/**
 * The beans camel-kafka's consumer and routes/consume-requests.camel.yaml use to take requests: see
 * {@link ConsumptionSettings} for the settings.
 */
final class ConsumptionConfiguration {

    private ConsumptionConfiguration() {
    }

    /** @param owner the owner of the send threads, as Camel's thread pools are named and shut down by owner */
    static void bind(Wiring wiring, ConsumptionSettings settings, KafkaSettings kafka, Topics topics, Tenants tenants,
            RenderPermits renderPermits, CompletedRequests completedRequests, Object owner) throws Exception {
        // The threads that handle the records in parallel: rendering, composing, submitting, publishing.
        wiring.bind("sendThreads", wiring.context().getExecutorServiceManager()
                .newFixedThreadPool(owner, "mail-sender", settings.parallelSends()));

        // Sends a partition back to its first unfinished record and pauses it.
        PartitionRewinds rewinds = wiring.bind("partitionRewinds", new PartitionRewinds(settings.firstRewindPause(),
                settings.longestRewindPause(), wiring.metrics()::rewind));
        // Hands each record to a send thread while the consumer goes on polling, and commits each partition up to
        // its first unfinished record. Twice as many records as send threads are in flight, so a thread that finishes
        // finds the next record waiting, and no more bytes of them than one poll may fetch (README, "Memory").
        PartitionProgress progress = wiring.bind("partitionProgress", new PartitionProgress(rewinds,
                settings.parallelSends() * 2, settings.fetchMaxBytes(), settings.maxPollInterval()));
        wiring.bind("requestCommits", rewinds.commitFactory());

        // A duplicate waits at most as long as a record may wait for a send thread. A request that rendered a large
        // mail gives its turn back once it is finished (routes/deliver.camel.yaml takes it), and its thread's log
        // lines stop naming it.
        RequestLogContext logContext = wiring.bind("requestLogContext", new RequestLogContext());
        wiring.bind("attempts", new AttemptSteps());
        wiring.bind("inFlightRequests", new InFlightRequests(settings.maxPollInterval().toMillis(), attempt -> {
            renderPermits.release(attempt.renderTurn());
            logContext.leave();
        }));
        // Looked up by camel-kafka under this name for its consumers. Partitions that arrive (at start-up or from
        // another instance) are processed only once the index of completed requests has read everything written before.
        wiring.bind("subscribeAdapter", new CommittedStartSubscribeAdapter(progress,
                completedRequests::markCatchUpPoint));
        wiring.bind("dropAllHeaders", dropAllHeaders());
        bindOutcomeGuard(wiring, settings.recheckInterval(), kafka, topics, tenants);
    }

    /** Holds consumption while a topic is missing or not allowed, or an attempt's outcome is not yet recorded. */
    private static void bindOutcomeGuard(Wiring wiring, Duration recheckInterval, KafkaSettings kafka, Topics topics,
            Tenants tenants) throws Exception {
        // Every request topic (the shared one and each tenant's) is read; a missing one is named like any other.
        List<TopicUse> uses = new ArrayList<>();
        tenants.requestTopics().forEach(topic -> uses.add(new TopicUse(topic, true, false, false)));
        uses.addAll(List.of(new TopicUse(topics.results(), false, true, false),
                new TopicUse(topics.deadLetters(), false, true, false), new TopicUse(topics.retry(), true, true, false),
                new TopicUse(topics.state(), true, true, true), new TopicUse(topics.suppressions(), true, true, true)));
        OutcomeGuard guard = wiring.bind("outcomeGuard", new OutcomeGuard(kafka.clients(), uses, recheckInterval));
        wiring.metrics().gauge("mail.gateway.outcomes.unrecorded", "Outcomes held because Kafka did not take them yet",
                guard, OutcomeGuard::unrecordedCount);
        // Started once Camel has started: the health registry in use and the routes it publishes through exist then.
        wiring.context().addStartupListener((context, alreadyStarted) -> {
            HealthCheckRegistry.get(context).register(guard.healthCheck());
            context.addService(guard, true, true);
        });
    }

    /** Drops every Kafka record header on consumption: requests speak only through their validated body. */
    private static HeaderFilterStrategy dropAllHeaders() {
        return new HeaderFilterStrategy() {
            @Override
            public boolean applyFilterToCamelHeaders(String name, Object value, Exchange exchange) {
                return false;
            }

            @Override
            public boolean applyFilterToExternalHeaders(String name, Object value, Exchange exchange) {
                return true;
            }
        };
    }
}
