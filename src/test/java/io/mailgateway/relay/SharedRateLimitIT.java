package io.mailgateway.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.MailGateway;
import io.mailgateway.kafka.GroupInstances;
import io.mailgateway.local.LocalKafkaBroker;
import io.mailgateway.support.FreePorts;
import io.mailgateway.support.InJvmGateway;
import io.mailgateway.support.KafkaTopics;
import io.mailgateway.support.TestRelay;

/**
 * Three gateway instances in one consumer group share one tenant's send-rate limit: kept busy for about 15 s, they
 * hand the relay at most the limit over every window plus one message per instance (and what the submissions'
 * spread bunches), and use most of the limit.
 */
class SharedRateLimitIT {

    private static final int INSTANCES = 3;
    private static final int RATE = 20;
    private static final int REQUESTS = 300;
    private static final String GROUP = "mail-gateway-shared-limit";
    /**
     * The gateway holds the bound when it takes a permit; the relay sees each message a submission later, and
     * submissions vary in length: a spread of up to 100 ms may bunch this many more into a window.
     */
    private static final int SPREAD_ALLOWANCE = (int) Math.ceil(RATE * 0.1);

    @TempDir
    static Path work;

    static LocalKafkaBroker broker;
    static TestRelay relay;
    static KafkaTopics kafka;
    static final List<Main> gateways = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        broker = LocalKafkaBroker.start(work.resolve("kafka"));
        broker.createTopics(6, InJvmGateway.OUTBOUND);
        broker.createTopics(1, InJvmGateway.RESULTS, InJvmGateway.DLQ, "mail.retry", "mail.state",
                InJvmGateway.SUPPRESSIONS);
        relay = new TestRelay(work, false);
        kafka = new KafkaTopics(broker.bootstrapServers());
        Path tenants = Files.writeString(work.resolve("tenants.yaml"), """
                tenants:
                  limited:
                    rateLimit: {messages: %d, per: 1s}
                """.formatted(RATE));
        for (int i = 0; i < INSTANCES; i++) {
            Map<String, String> settings = new HashMap<>(InJvmGateway.settings(broker.bootstrapServers(), GROUP, relay));
            settings.putAll(Map.of(
                    "gateway.tenants-file", tenants.toString(),
                    // two consumers per instance: the instance is still counted once
                    "gateway.consumers", "2",
                    "gateway.rate-limit.refresh-ms", "500",
                    "gateway.tenant-rate-wait-ms", "2000",
                    "gateway.retry.schedule", "300ms",
                    "gateway.retry.max-age", "2m",
                    "gateway.retry.poll-interval-ms", "100",
                    "camel.management.port", String.valueOf(FreePorts.next()),
                    "camel.server.port", String.valueOf(FreePorts.next())));
            Main gateway = MailGateway.newMain(settings);
            gateway.start();
            gateways.add(gateway);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (Main gateway : gateways) {
            // Deferred requests may still wait in the retry route: their results are no part of the test.
            gateway.getCamelContext().getShutdownStrategy().setTimeout(5);
            gateway.stop();
        }
        for (AutoCloseable closeable : new AutoCloseable[] {kafka, relay, broker}) {
            if (closeable != null) {
                closeable.close();
            }
        }
    }

    @Test
    void threeInstancesHandTheRelayAtMostTheLimitPlusOnePerInstanceOverEveryWindow() {
        await().atMost(Duration.ofSeconds(60)).until(() -> gateways.stream().allMatch(g ->
                g.getCamelContext().getRegistry().lookupByNameAndType("groupInstances", GroupInstances.class)
                        .count() == INSTANCES));

        // Each instance opens its relay connections with mail of no limited tenant first: a connection opened for a
        // limited message would delay it and bunch it with the next, which is the relay's handshake, not the limit.
        Set<String> warmUp = ConcurrentHashMap.newKeySet();
        for (int i = 0; i < 30; i++) {
            String id = "warm-up-" + i;
            warmUp.add(id);
            kafka.send(InJvmGateway.OUTBOUND, id, """
                    {"id": "%s", "to": ["early%d@elsewhere.example"], "subject": "Warm-up", "text": "Hello"}"""
                    .formatted(id, i));
        }
        try (KafkaTopics.Reader results = kafka.read(InJvmGateway.RESULTS)) {
            warmUp.forEach(id -> results.awaitStatus(id, "SENT"));
        }
        int before = relay.server().acceptedAt().size();

        Set<String> ids = ConcurrentHashMap.newKeySet();
        for (int i = 0; i < REQUESTS; i++) {
            String id = "shared-limit-" + i;
            ids.add(id);
            kafka.send(InJvmGateway.OUTBOUND, id, """
                    {"id": "%s", "to": ["reader%d@elsewhere.example"], "subject": "Limited", "text": "Hello",
                     "tags": {"tenant": "limited"}}""".formatted(id, i));
        }
        try (KafkaTopics.Reader results = kafka.read(InJvmGateway.RESULTS)) {
            await().atMost(Duration.ofSeconds(45)).until(() -> relay.server().acceptedAt().size() >= before + REQUESTS);
            ids.forEach(id -> assertThat(results.awaitStatus(id, "SENT").get("terminal").asBoolean()).isTrue());
        }

        List<Instant> accepted = relay.server().acceptedAt().stream().skip(before).sorted().toList();
        assertThat(accepted).hasSize(REQUESTS);
        int mostInASecond = mostInAnyWindow(accepted, Duration.ofSeconds(1));
        int mostInTenSeconds = mostInAnyWindow(accepted, Duration.ofSeconds(10));
        Duration span = Duration.between(accepted.get(0), accepted.get(accepted.size() - 1));
        double achieved = (accepted.size() - 1) * 1000.0 / span.toMillis();
        System.out.printf("shared rate limit %d/s, %d instances: most in any 1 s window %d (bound %d), in any 10 s"
                        + " window %d (bound %d); %d messages in %d ms: %.2f/s, %.1f %% of the limit%n", RATE,
                INSTANCES, mostInASecond, RATE + INSTANCES, mostInTenSeconds, 10 * RATE + INSTANCES, accepted.size(),
                span.toMillis(), achieved, achieved * 100 / RATE);

        assertThat(mostInASecond).isLessThanOrEqualTo(RATE + INSTANCES + SPREAD_ALLOWANCE);
        assertThat(mostInTenSeconds).isLessThanOrEqualTo(10 * RATE + INSTANCES + SPREAD_ALLOWANCE);
        // the limit is shared, not divided away: the three together use most of it
        assertThat(achieved).isGreaterThanOrEqualTo(RATE * 0.8);
    }

    /** The most accepted messages in any window [t, t + length) starting at an accepted message. */
    private static int mostInAnyWindow(List<Instant> sorted, Duration length) {
        int most = 0;
        int first = 0;
        Instant busiest = null;
        for (int last = 0; last < sorted.size(); last++) {
            while (!sorted.get(first).plus(length).isAfter(sorted.get(last))) {
                first++;
            }
            if (last - first + 1 > most) {
                most = last - first + 1;
                busiest = sorted.get(first);
            }
        }
        System.out.printf("busiest %s window starts %d ms after the first message%n", length,
                Duration.between(sorted.get(0), busiest).toMillis());
        return most;
    }
}
