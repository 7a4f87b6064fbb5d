package io.mailgateway.bench;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/** Publishes benchmark requests (keyed by id) and remembers each record's produce timestamp. */
final class RequestProducer implements AutoCloseable {

    private final KafkaProducer<String, String> producer;
    /** Of the last call: id to the moment (epoch ms) the producer had Kafka's acknowledgement. */
    private volatile Map<String, Long> acknowledgedAt = Map.of();

    RequestProducer(String bootstrapServers) {
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                // One request in flight: a retried first batch to a partition that was just created otherwise
                // overtakes the batches after it and the broker rejects it as out of sequence.
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1),
                new StringSerializer(), new StringSerializer());
    }

    /** Publishes all requests as fast as the producer takes them; returns id to produce timestamp (epoch ms). */
    Map<String, Long> burst(String topic, List<String> ids) {
        return paced(topic, ids, 0);
    }

    /** Publishes requests of the given kind as fast as the producer takes them. */
    Map<String, Long> burst(String topic, List<String> ids, BenchMessage.Kind kind) {
        return paced(topic, ids, 0, kind);
    }

    /**
     * Publishes the requests at a fixed rate (requests per second; 0 = as fast as possible), each at its planned
     * moment whatever happened before, so a slow consumer cannot slow the arrivals down.
     */
    Map<String, Long> paced(String topic, List<String> ids, double ratePerSecond) {
        return paced(topic, ids, ratePerSecond, BenchMessage.Kind.INLINE);
    }

    private Map<String, Long> paced(String topic, List<String> ids, double ratePerSecond, BenchMessage.Kind kind) {
        Map<String, Long> producedAt = new ConcurrentHashMap<>();
        Map<String, Long> acknowledged = new ConcurrentHashMap<>();
        acknowledgedAt = acknowledged;
        AtomicReference<Exception> firstError = new AtomicReference<>();
        long start = System.nanoTime();
        for (int i = 0; i < ids.size(); i++) {
            if (ratePerSecond > 0) {
                long due = start + (long) (i * 1e9 / ratePerSecond);
                for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                    LockSupport.parkNanos(wait);
                }
            }
            String id = ids.get(i);
            producer.send(new ProducerRecord<>(topic, id, BenchMessage.requestJson(id, kind)), (metadata, error) -> {
                if (error == null) {
                    producedAt.put(id, metadata.timestamp());
                    acknowledged.put(id, System.currentTimeMillis());
                } else {
                    firstError.compareAndSet(null, error);
                }
            });
        }
        producer.flush();
        if (producedAt.size() != ids.size()) {
            throw new IllegalStateException("Kafka acknowledged only " + producedAt.size() + " of " + ids.size()
                    + " requests to " + topic, firstError.get());
        }
        return producedAt;
    }

    /** The acknowledgement moments of the last call's requests: how long they waited in the producer and broker. */
    Map<String, Long> acknowledgedAt() {
        return acknowledgedAt;
    }

    @Override
    public void close() {
        producer.close(java.time.Duration.ofSeconds(10));
    }
}
