package io.mailgateway.idempotency;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Function;

import org.apache.camel.support.service.ServiceSupport;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

import io.mailgateway.attempt.Attempt;
import io.mailgateway.attempt.Decision;
import io.mailgateway.attempt.RetryRecord;
import io.mailgateway.result.DeliveryResult;
import io.mailgateway.result.ResultWriter;

/**
 * Publishes an attempt's outcome: the retry record when the request is deferred, the delivery result keyed by request
 * id, and the state record that remembers it. The records are sent together and the caller returns once Kafka
 * acknowledged every one of them, so that the request's offset is committed only then; one producer, shared by all
 * send threads, lets the records of many outcomes travel in one request to the broker.
 */
public class OutcomePublisher extends ServiceSupport {

    private final Producer<String, byte[]> producer;
    private final String resultsTopic;
    private final String retryTopic;
    private final ResultWriter resultWriter;
    private final Function<RetryRecord, byte[]> retryWriter;
    private final CompletedRequests completedRequests;

    /**
     * @param producer    acknowledged by every in-sync replica, idempotent, bounded waits (see
     *                    {@code KafkaClients#outcomeWriter})
     * @param retryWriter a retry record's value on the retry topic
     */
    public OutcomePublisher(Producer<String, byte[]> producer, String resultsTopic, String retryTopic,
            ResultWriter resultWriter, Function<RetryRecord, byte[]> retryWriter, CompletedRequests completedRequests) {
        this.producer = producer;
        this.resultsTopic = resultsTopic;
        this.retryTopic = retryTopic;
        this.resultWriter = resultWriter;
        this.retryWriter = retryWriter;
        this.completedRequests = completedRequests;
    }

    /**
     * Publishes the attempt's outcome and returns once every record of it is acknowledged.
     *
     * @throws OutcomeNotPublishedException naming the topic, when Kafka did not take a record (some of the others may
     *                                      have been written: publishing the outcome again is safe)
     */
    public void publish(Attempt attempt) {
        Decision outcome = attempt.outcome();
        DeliveryResult result = outcome.result();
        Future<RecordMetadata> retry = outcome.retrying()
                ? send(new ProducerRecord<>(retryTopic, outcome.retry().id(), retryWriter.apply(outcome.retry())))
                : null;
        Future<RecordMetadata> published = send(new ProducerRecord<>(resultsTopic, result.id(),
                resultWriter.toJson(result).getBytes(StandardCharsets.UTF_8)));
        // A request read again trusts the state record: a DEFERRED one says that the retry is on the retry topic, so
        // it is written only once the retry is. A terminal one goes out with the result (a result lost in a crash is
        // published again from it, as a replay).
        if (retry != null) {
            await(retry, retryTopic);
        }
        ProducerRecord<String, byte[]> state = completedRequests.stateRecord(result);
        Future<RecordMetadata> remembered = state == null ? null : send(state);
        await(published, resultsTopic);
        if (state != null) {
            completedRequests.recorded(state, await(remembered, state.topic()));
        }
    }

    private Future<RecordMetadata> send(ProducerRecord<String, byte[]> record) {
        try {
            return producer.send(record);
        } catch (RuntimeException e) {
            throw new OutcomeNotPublishedException(record.topic(), e);
        }
    }

    // The wait is bounded by the producer's delivery timeout: a record not acknowledged by then fails.
    private static RecordMetadata await(Future<RecordMetadata> sent, String topic) {
        try {
            return sent.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OutcomeNotPublishedException(topic, e);
        } catch (ExecutionException e) {
            throw new OutcomeNotPublishedException(topic, e.getCause());
        }
    }

    @Override
    protected void doStart() {
        // The producer connects on its first record.
    }

    @Override
    protected void doStop() {
        producer.close(Duration.ofSeconds(5));
    }

    /** Kafka did not take a record of an outcome; the message names the topic and Kafka's reason, no content. */
    public static final class OutcomeNotPublishedException extends RuntimeException {
        OutcomeNotPublishedException(String topic, Throwable cause) {
            super("cannot publish to " + topic, cause);
        }
    }
}
