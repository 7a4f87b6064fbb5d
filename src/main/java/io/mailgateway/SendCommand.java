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
import io.mailgateway.tenant.Tenant;
import io.mailgateway.tenant.Tenants;

/**
 * {@code java -jar mail-gateway.jar send [--tenant ID] request.json...}: publishes mail requests (keyed by their id)
 * and prints their delivery results as they arrive. Uses the gateway's own KAFKA_*, GATEWAY_TOPIC_* and
 * GATEWAY_TENANTS_FILE variables; with a tenant the requests go to its topic.
 */
public final class SendCommand {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String TENANT_OPTION = "--tenant";

    private SendCommand() {
    }

    static int run(String[] args) throws IOException {
        boolean withTenant = args.length > 0 && args[0].equals(TENANT_OPTION);
        String[] files = withTenant ? Arrays.copyOfRange(args, Math.min(2, args.length), args.length) : args;
        if (files.length == 0 || withTenant && args.length < 2) {
            System.err.println("usage: java -jar mail-gateway.jar send [" + TENANT_OPTION + " ID] REQUEST.json...");
            return 2;
        }
        String shared = env("GATEWAY_TOPIC_OUTBOUND", "mail.outbound");
        String topic;
        try {
            topic = withTenant ? tenantTopic(args[1], System.getenv("GATEWAY_TENANTS_FILE")) : shared;
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        return send(env("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092"), topic,
                env("GATEWAY_TOPIC_RESULTS", "mail.results"), Arrays.stream(files).map(Path::of).toList());
    }

    /**
     * The topic a tenant's requests are written to: its own, as the tenants file binds it.
     *
     * @throws IllegalArgumentException when there is no tenants file, no such tenant, or the file binds no topics
     */
    static String tenantTopic(String tenantId, String tenantsFile) {
        if (tenantsFile == null || tenantsFile.isBlank()) {
            throw new IllegalArgumentException(TENANT_OPTION + " needs GATEWAY_TENANTS_FILE, the tenants file that"
                    + " binds tenants to topics");
        }
        Tenants tenants = Tenants.load(Path.of(tenantsFile.trim()));
        Tenant tenant = tenants.find(tenantId).orElseThrow(() -> new IllegalArgumentException(
                "no tenant '" + tenantId + "' in " + tenantsFile.trim()));
        if (tenant.topic() == null) {
            throw new IllegalArgumentException(tenantsFile.trim() + " binds no tenant to a topic (no topicPattern, no"
                    + " tenant topic): name the tenant in the request's tags.tenant and send without " + TENANT_OPTION);
        }
        return tenant.topic();
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
