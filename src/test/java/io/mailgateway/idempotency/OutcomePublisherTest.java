package io.mailgateway.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.mailgateway.attempt.Attempt;
import io.mailgateway.attempt.Decision;
import io.mailgateway.attempt.RetryRecord;
import io.mailgateway.attempt.RetryState;
import io.mailgateway.idempotency.OutcomePublisher.OutcomeNotPublishedException;
import io.mailgateway.kafka.CompactedTopicFollower;
import io.mailgateway.kafka.KafkaClients;
import io.mailgateway.result.DeliveryResult;
import io.mailgateway.result.DeliveryResult.Status;
import io.mailgateway.result.ResultWriter;

/**
 * An outcome's records go out together, and the caller (which then commits the request) goes on only once Kafka
 * acknowledged every one; when Kafka refuses one, nothing is remembered and the caller fails.
 */
class OutcomePublisherTest {

    private static final KafkaClients NO_BROKER =
            new KafkaClients(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9"));
    private static final ObjectMapper JSON = new ObjectMapper();

    // Acknowledges only when the test says so, in the order the records were sent.
    private final MockProducer<String, byte[]> kafka =
            new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer());
    private final CompletedRequests completed = new CompletedRequests(NO_BROKER, "mail.state", Duration.ofDays(7),
            Clock.systemUTC());
    private final OutcomePublisher publisher = new OutcomePublisher(kafka, "mail.results", "mail.retry",
            new ResultWriter(), retry -> retry.id().getBytes(StandardCharsets.UTF_8), completed);

    @AfterEach
    void close() {
        completed.close();
    }

    @Test
    void theResultAndTheStateRecordAreBothSentBeforeEitherIsAcknowledged() {
        CompletableFuture<Void> publishing = publish(new Decision(result("order-1", Status.SENT, true), null));

        await().atMost(Duration.ofSeconds(10)).until(() -> kafka.history().size() == 2);
        assertThat(kafka.history()).extracting(ProducerRecord::topic).containsExactly("mail.results", "mail.state");
        assertThat(kafka.history().get(1).headers().lastHeader(CompactedTopicFollower.WRITER_HEADER)).isNotNull();
        assertThat(publishing).isNotDone();

        kafka.completeNext();
        assertThat(publishing).isNotDone();
        kafka.completeNext();

        await().atMost(Duration.ofSeconds(10)).until(publishing::isDone);
        assertThat(publishing).isCompleted();
        assertThat(completed.find("order-1")).isNotNull();
    }

    @Test
    void aDeferredOutcomesStateIsSentOnlyOnceItsRetryIsAcknowledgedAndTheCallerWaitsForAll() {
        CompletableFuture<Void> publishing = publish(new Decision(result("order-2", Status.DEFERRED, false),
                new RetryRecord("order-2", JSON.createObjectNode(), RetryState.first("2026-12-07T00:00:00Z"),
                        "2026-12-07T00:01:00Z")));

        await().atMost(Duration.ofSeconds(10)).until(() -> kafka.history().size() == 2);
        // A request read again trusts a DEFERRED state record to mean that its retry is on the retry topic.
        assertThat(kafka.history()).extracting(ProducerRecord::topic).containsExactly("mail.retry", "mail.results");

        kafka.completeNext();
        await().atMost(Duration.ofSeconds(10)).until(() -> kafka.history().size() == 3);
        assertThat(kafka.history().get(2).topic()).isEqualTo("mail.state");
        kafka.completeNext();
        assertThat(publishing).isNotDone();
        kafka.completeNext();

        await().atMost(Duration.ofSeconds(10)).until(publishing::isDone);
        assertThat(publishing).isCompleted();
    }

    @Test
    void aRefusedStateRecordFailsThePublishingAndNothingIsRemembered() {
        CompletableFuture<Void> publishing = publish(new Decision(result("order-3", Status.SENT, true), null));

        await().atMost(Duration.ofSeconds(10)).until(() -> kafka.history().size() == 2);
        kafka.completeNext();
        kafka.errorNext(new NotEnoughReplicasException("not enough in-sync replicas"));

        assertThatThrownBy(publishing::get).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(OutcomeNotPublishedException.class).hasMessageContaining("mail.state")
                .hasRootCauseInstanceOf(NotEnoughReplicasException.class);
        assertThat(completed.find("order-3")).isNull();
    }

    @Test
    void aRefusedResultFailsThePublishingEvenWhenTheStateRecordIsAcknowledged() {
        CompletableFuture<Void> publishing = publish(new Decision(result("order-4", Status.FAILED, true), null));

        await().atMost(Duration.ofSeconds(10)).until(() -> kafka.history().size() == 2);
        kafka.errorNext(new NotEnoughReplicasException("not enough in-sync replicas"));
        kafka.completeNext();

        assertThatThrownBy(publishing::get).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(OutcomeNotPublishedException.class).hasMessageContaining("mail.results");
        assertThat(completed.find("order-4")).isNull();
    }

    @Test
    void aRejectedResultIsPublishedButNotRemembered() {
        CompletableFuture<Void> publishing = publish(new Decision(result("order-5", Status.REJECTED, true), null));

        await().atMost(Duration.ofSeconds(10)).until(() -> kafka.history().size() == 1);
        kafka.completeNext();

        await().atMost(Duration.ofSeconds(10)).until(publishing::isDone);
        assertThat(kafka.history()).extracting(ProducerRecord::topic).containsExactly("mail.results");
        assertThat(completed.find("order-5")).isNull();
    }

    private CompletableFuture<Void> publish(Decision outcome) {
        return CompletableFuture.runAsync(() -> publisher.publish(Attempt.ofHeldOutcome(outcome)));
    }

    private static DeliveryResult result(String id, Status status, boolean terminal) {
        return new DeliveryResult(id, status, terminal, null, 1, null, null, null, null, null,
                "2026-12-07T00:00:00Z", "2026-12-07T00:00:01Z");
    }
}
