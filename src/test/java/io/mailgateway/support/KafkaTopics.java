package io.mailgateway.support;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Plain Kafka clients for tests: publish requests, read results and dead letters, inspect committed offsets. */
public final class KafkaTopics implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String bootstrapServers;
    private final KafkaProducer<String, byte[]> producer;

    public KafkaTopics(String bootstrapServers) {
        this(bootstrapServers, Map.of());
    }

    /** With producer settings of its own, e.g. a larger max.request.size for oversized records. */
    public KafkaTopics(String bootstrapServers, Map<String, Object> producerSettings) {
        this.bootstrapServers = bootstrapServers;
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.putAll(producerSettings);
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /** Publishes one record and returns its offset. */
    public long send(String topic, String key, byte[] value, Map<String, String> headers) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, key, value);
        headers.forEach((name, headerValue) -> record.headers().add(new RecordHeader(name, headerValue.getBytes())));
        try {
            return producer.send(record).get().offset();
        } catch (Exception e) {
            throw new IllegalStateException("cannot publish to " + topic, e);
        }
    }

    public long send(String topic, String key, String json) {
        return send(topic, key, json.getBytes(java.nio.charset.StandardCharsets.UTF_8), Map.of());
    }

    /** Reads a topic from the beginning in the background, so tests can await records by key. */
    public Reader read(String topic) {
        return new Reader(topic);
    }

    public long committedOffset(String groupId, String topic, int partition) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (Admin admin = Admin.create(props)) {
            Map<TopicPartition, OffsetAndMetadata> offsets =
                    admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get();
            OffsetAndMetadata offset = offsets.get(new TopicPartition(topic, partition));
            return offset == null ? -1 : offset.offset();
        } catch (Exception e) {
            throw new IllegalStateException("cannot read offsets of " + groupId, e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }

    /** Every record of one topic, collected by a background thread. */
    public final class Reader implements AutoCloseable {
        private final List<ConsumerRecord<String, byte[]>> records = new CopyOnWriteArrayList<>();
        private final Map<String, JsonNode> lastJsonByKey = new ConcurrentHashMap<>();
        private final Thread thread;
        private volatile boolean running = true;

        private Reader(String topic) {
            Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            KafkaConsumer<String, byte[]> consumer =
                    new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
            // A topic created a moment ago may not have its partitions in the metadata yet.
            List<TopicPartition> partitions = await().atMost(Duration.ofSeconds(30))
                    .until(() -> consumer.partitionsFor(topic).stream()
                            .map(p -> new TopicPartition(topic, p.partition())).toList(), found -> !found.isEmpty());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            thread = new Thread(() -> {
                try (consumer) {
                    while (running) {
                        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                            records.add(record);
                            parse(record.value()).ifPresent(json -> lastJsonByKey.put(String.valueOf(record.key()), json));
                        }
                    }
                }
            }, "test-reader-" + topic);
            thread.setDaemon(true);
            thread.start();
        }

        private static java.util.Optional<JsonNode> parse(byte[] value) {
            try {
                return java.util.Optional.ofNullable(JSON.readTree(value));
            } catch (Exception e) {
                return java.util.Optional.empty();
            }
        }

        /** Waits for the record with this key and returns its JSON value. */
        public JsonNode awaitJson(String key) {
            await().atMost(Duration.ofSeconds(30)).until(() -> lastJsonByKey.containsKey(key));
            return lastJsonByKey.get(key);
        }

        /** Waits for a record with this key whose JSON has this status, e.g. the terminal one after progress events. */
        public JsonNode awaitStatus(String key, String status) {
            await().atMost(Duration.ofSeconds(30)).until(() -> withStatus(key, status) != null);
            return withStatus(key, status);
        }

        /** Every JSON value published under this key so far, oldest first. */
        public List<JsonNode> allJson(String key) {
            return records.stream().filter(r -> key.equals(r.key())).map(r -> parse(r.value()).orElseThrow()).toList();
        }

        /**
         * The results published under this id that are not replays: a request read again after it finished (because
         * an earlier record of its partition did not) gets its recorded result once more, marked as a replay.
         */
        public List<JsonNode> originalResults(String key) {
            return allJson(key).stream().filter(json -> !json.path("replay").asBoolean()).toList();
        }

        private JsonNode withStatus(String key, String status) {
            return allJson(key).stream().filter(json -> status.equals(json.path("status").asText())).findFirst().orElse(null);
        }

        public ConsumerRecord<String, byte[]> awaitRecord(String key) {
            await().atMost(Duration.ofSeconds(30)).until(() -> find(key) != null);
            return find(key);
        }

        private ConsumerRecord<String, byte[]> find(String key) {
            return records.stream().filter(r -> key.equals(r.key())).findFirst().orElse(null);
        }

        public List<ConsumerRecord<String, byte[]>> records() {
            return List.copyOf(records);
        }

        @Override
        public void close() {
            running = false;
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
