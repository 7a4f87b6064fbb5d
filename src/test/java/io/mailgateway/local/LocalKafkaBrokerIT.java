package io.mailgateway.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalKafkaBrokerIT {

    @TempDir
    Path workDir;

    @Test
    void producesAndConsumesThroughARealBroker() throws Exception {
        long pid;
        try (LocalKafkaBroker broker = LocalKafkaBroker.start(workDir)) {
            pid = broker.pid();
            assertThat(broker.bootstrapServers()).startsWith("127.0.0.1:").doesNotEndWith(":9092");
            broker.createTopics(1, "mail.requests");

            RecordMetadata sent = produce(
                    broker.bootstrapServers(), "mail.requests", "request-1", "{\"to\":\"alice@example.org\"}");
            assertThat(sent.offset()).isZero();

            List<ConsumerRecord<String, String>> records = consume(broker.bootstrapServers(), "mail.requests", 1);
            assertThat(records).singleElement().satisfies(record -> {
                assertThat(record.key()).isEqualTo("request-1");
                assertThat(record.value()).isEqualTo("{\"to\":\"alice@example.org\"}");
            });
        }

        assertThat(ProcessHandle.of(pid)).matches(handle -> handle.isEmpty() || !handle.get().isAlive());
    }

    @Test
    void restartsOnTheSameWorkDirWithItsData() throws Exception {
        try (LocalKafkaBroker broker = LocalKafkaBroker.start(workDir)) {
            broker.createTopics(2, "mail.results");
            produce(broker.bootstrapServers(), "mail.results", "result-1", "sent");
        }

        try (LocalKafkaBroker broker = LocalKafkaBroker.start(workDir)) {
            assertThat(consume(broker.bootstrapServers(), "mail.results", 1))
                    .extracting(ConsumerRecord::key)
                    .containsExactly("result-1");
        }
    }

    @Test
    void failsWithTheBrokerLogWhenTheBrokerDies() throws Exception {
        // data written by a different node: the broker refuses to start on it
        Path dataDir = Files.createDirectories(workDir.resolve("data"));
        Files.writeString(dataDir.resolve("meta.properties"),
                "version=1\nnode.id=7\ncluster.id=" + Uuid.randomUuid() + "\n");

        assertThatThrownBy(() -> LocalKafkaBroker.start(workDir))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exited with code")
                .hasMessageContaining("broker.log")
                .hasMessageContaining("Stored node id 7");
    }

    @Test
    void expandsManifestOnlyJarIntoTheEntriesItLists(@TempDir Path dir) throws Exception {
        Path lib = Files.createDirectories(dir.resolve("lib"));
        Path classes = Files.createDirectories(dir.resolve("test classes"));
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        // surefire and IDEs write relative and percent-encoded URLs like these
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, "lib/kafka.jar " + classes.toUri());
        Path booter = dir.resolve("booter.jar");
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(booter), manifest)) {
            // manifest only
        }
        Path plain = dir.resolve("plain.jar");

        List<String> classPath = LocalKafkaBroker.childClassPath(booter + File.pathSeparator + plain);

        assertThat(classPath).containsExactly(
                lib.resolve("kafka.jar").toString(), classes.toString(), plain.toString());
    }

    private static RecordMetadata produce(String bootstrap, String topic, String key, String value) throws Exception {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
            return producer.send(new ProducerRecord<>(topic, key, value)).get();
        }
    }

    private static List<ConsumerRecord<String, String>> consume(String bootstrap, String topic, int count) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "local-broker-test",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return records.size() >= count;
            });
        }
        return records;
    }
}
