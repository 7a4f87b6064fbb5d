package io.mailgateway;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import io.mailgateway.kafka.KafkaClients;

/**
 * {@code java -jar mail-gateway.jar send request.json...}: publishes mail requests (keyed by their id) and
 * prints their delivery results as they arrive. Uses the gateway's own KAFKA_* and GATEWAY_TOPIC_* variables.
 */
public final class SendCommand {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private SendCommand() {
    }

    static int run(String[] files) throws IOException {
        if (files.length == 0) {
            System.err.println("usage: java -jar mail-gateway.jar send REQUEST.json...");
            return 2;
        }
        return send(env("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092"), env("GATEWAY_TOPIC_OUTBOUND", "mail.outbound"),
                env("GATEWAY_TOPIC_RESULTS", "mail.results"), Arrays.stream(files).map(Path::of).toList());
    }

    /** Publishes the request files and prints each result; returns 0 when every request got one. */
    public static int send(String bootstrap, String requests, String results, List<Path> files) throws IOException {
        ObjectMapper json = new ObjectMapper();
        KafkaClients clients = new KafkaClients(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
        try (KafkaConsumer<String, String> consumer = clients.textReader();
                KafkaProducer<String, byte[]> producer = clients.producer()) {
            List<TopicPartition> partitions = consumer.partitionsFor(results).stream()
                    .map(p -> new TopicPartition(results, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);

            Set<String> pending = new HashSet<>();
            for (Path file : files) {
                byte[] body = Files.readAllBytes(file);
                String id = idOf(json, body);
                producer.send(new ProducerRecord<>(requests, id, body));
                pending.add(id == null ? "" : id);
                System.out.println("sent " + file + (id == null ? "" : " (id " + id + ")"));
            }
            producer.flush();

            Instant deadline = Instant.now().plus(WAIT);
            while (!pending.isEmpty() && Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    if (pending.remove(record.key()) || pending.remove("")) {
                        System.out.println("result " + record.value());
                    }
                }
            }
            if (!pending.isEmpty()) {
                System.err.println("no result within " + WAIT.toSeconds() + " s for " + pending);
                return 1;
            }
            return 0;
        }
    }

    private static String idOf(ObjectMapper json, byte[] body) {
        try {
            JsonNode id = json.readTree(body).get("id");
            return id != null && id.isTextual() ? id.asText() : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

}
