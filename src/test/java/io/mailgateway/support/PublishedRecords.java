package io.mailgateway.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import io.mailgateway.idempotency.CompletedRequests;
import io.mailgateway.idempotency.OutcomePublisher;
import io.mailgateway.result.ResultWriter;

/**
 * For route tests without Kafka: the outcomes the routes publish, acknowledged at once, or refused where the test
 * says so.
 */
public final class PublishedRecords extends MockProducer<String, byte[]> {

    private static final ObjectMapper JSON = new ObjectMapper();

    private volatile Predicate<ProducerRecord<String, byte[]>> refused = record -> false;
    private volatile Consumer<ProducerRecord<String, byte[]>> onSend = record -> { };

    public PublishedRecords() {
        super(true, null, new StringSerializer(), new ByteArraySerializer());
    }

    /** A publisher of outcomes to the default topics through these records. */
    public OutcomePublisher publisher(CompletedRequests completedRequests) {
        return new OutcomePublisher(this, "mail.results", "mail.retry", new ResultWriter(), retry -> {
            try {
                return JSON.writeValueAsBytes(retry);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, completedRequests);
    }

    /** Kafka refuses the records this matches, as a broker that is gone would; the test may wait in it. */
    public void refuse(Predicate<ProducerRecord<String, byte[]>> which) {
        refused = which;
    }

    /** Called with every record as it is sent. */
    public void onSend(Consumer<ProducerRecord<String, byte[]>> action) {
        onSend = action;
    }

    /** The refusal is decided outside the lock, so a test's predicate may wait for other sends first. */
    @Override
    public Future<RecordMetadata> send(ProducerRecord<String, byte[]> record) {
        return send(record, null);
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<String, byte[]> record, Callback callback) {
        return send(record, callback, refused.test(record));
    }

    private synchronized Future<RecordMetadata> send(ProducerRecord<String, byte[]> record, Callback callback,
            boolean refuse) {
        onSend.accept(record);
        if (refuse) {
            return CompletableFuture.failedFuture(new KafkaException("broker unavailable"));
        }
        return super.send(record, callback);
    }

    /** The records sent to this topic, in order. */
    public List<ProducerRecord<String, byte[]>> on(String topic) {
        return history().stream().filter(record -> record.topic().equals(topic)).toList();
    }

    /** A record's value as text. */
    public static String text(ProducerRecord<String, byte[]> record) {
        return new String(record.value(), StandardCharsets.UTF_8);
    }
}
