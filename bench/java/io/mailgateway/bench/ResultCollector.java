package io.mailgateway.bench;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads the results topic from the beginning in the background and keeps each id's terminal result, and which ids
 * were deferred (a DEFERRED progress event) on the way.
 */
final class ResultCollector implements AutoCloseable {

    /**
     * A terminal result: its status, the timestamp of its record, and when the gateway took the request
     * ({@code receivedAt}) and finished it ({@code completedAt}), all epoch ms; the last two are 0 where absent.
     */
    record Result(String status, long timestamp, long receivedAt, long completedAt) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Result> results = new ConcurrentHashMap<>();
    private final Map<String, Result> deferred = new ConcurrentHashMap<>();
    private final Thread reader;
    private volatile boolean running = true;
    private volatile RuntimeException failure;

    ResultCollector(String bootstrapServers, String topic, int partitions) {
        reader = new Thread(() -> read(bootstrapServers, topic, partitions), "results-" + topic);
        reader.setDaemon(true);
        reader.start();
    }

    private void read(String bootstrapServers, String topic, int partitions) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> all = java.util.stream.IntStream.range(0, partitions)
                    .mapToObj(p -> new TopicPartition(topic, p)).toList();
            consumer.assign(all);
            consumer.seekToBeginning(all);
            while (running) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    JsonNode result = JSON.readTree(record.value());
                    Map<String, Result> kept = result.path("terminal").asBoolean(false) ? results
                            : "DEFERRED".equals(result.path("status").asText()) ? deferred : null;
                    if (kept != null) {
                        // the first one counts; a replay would only repeat it
                        kept.putIfAbsent(result.path("id").asText(record.key()),
                                new Result(result.path("status").asText(), record.timestamp(),
                                        epochMillis(result.path("receivedAt")), epochMillis(result.path("completedAt"))));
                    }
                }
            }
        } catch (Exception e) {
            failure = new IllegalStateException("cannot read results", e);
        }
    }

    private static long epochMillis(JsonNode instant) {
        return instant.isTextual() ? java.time.Instant.parse(instant.asText()).toEpochMilli() : 0;
    }

    /**
     * Waits until every id has a terminal result. Fails when no new result arrived for {@code stall}; then
     * {@code diagnostics} tells where to look.
     */
    Map<String, Result> await(Set<String> ids, Duration stall, Supplier<String> diagnostics)
            throws InterruptedException {
        return await(results, "a terminal result", ids, stall, diagnostics);
    }

    /** The terminal results of those ids that have one so far. */
    Map<String, Result> terminal(Set<String> ids) {
        Map<String, Result> found = new TreeMap<>();
        ids.stream().filter(results::containsKey).forEach(id -> found.put(id, results.get(id)));
        return found;
    }

    /** Waits until every id was deferred at least once; returns each id's first DEFERRED event. */
    Map<String, Result> awaitDeferred(Set<String> ids, Duration stall, Supplier<String> diagnostics)
            throws InterruptedException {
        return await(deferred, "a DEFERRED result", ids, stall, diagnostics);
    }

    private Map<String, Result> await(Map<String, Result> results, String what, Set<String> ids, Duration stall,
            Supplier<String> diagnostics) throws InterruptedException {
        long lastProgress = System.nanoTime();
        long lastCount = -1;
        while (true) {
            if (failure != null) {
                throw failure;
            }
            long count = ids.stream().filter(results::containsKey).count();
            if (count == ids.size()) {
                Map<String, Result> found = new TreeMap<>();
                ids.forEach(id -> found.put(id, results.get(id)));
                return found;
            }
            if (count != lastCount) {
                lastCount = count;
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > stall.toNanos()) {
                List<String> missing = ids.stream().filter(id -> !results.containsKey(id)).sorted().limit(5).toList();
                throw new IllegalStateException("only " + count + " of " + ids.size() + " requests have " + what
                        + ", and none came for " + stall.toSeconds() + " s; missing e.g. " + missing + ". "
                        + diagnostics.get());
            }
            Thread.sleep(20);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        reader.join(5_000);
    }
}
