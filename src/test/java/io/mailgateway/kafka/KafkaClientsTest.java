package io.mailgateway.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** Every Kafka client of the gateway reaches the brokers the same way, with the settings of its own use on top. */
class KafkaClientsTest {

    private static final Map<String, Object> CONNECTION = Map.of(
            CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9",
            CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT",
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "true");

    @Test
    void theConnectionSettingsReachEveryUseAndAUsesOwnSettingWins() {
        KafkaClients clients = new KafkaClients(CONNECTION);

        assertThat(clients.settings(Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ProducerConfig.ACKS_CONFIG, "all")))
                .containsEntry(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9")
                .containsEntry(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT")
                .containsEntry(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false")
                .containsEntry(ProducerConfig.ACKS_CONFIG, "all");
    }

    @Test
    void outcomesAreWrittenWithEveryReplicasAcknowledgementAndIdempotenceWhateverTheConnectionSays() {
        // Batching outcomes (linger) must never trade away their durability: the commit relies on acks=all.
        KafkaClients clients = new KafkaClients(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9",
                ProducerConfig.ACKS_CONFIG, "1", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false"));

        Properties settings = clients.outcomeWriterSettings(5, 1000, 1 << 20);
        settings.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        settings.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        ProducerConfig effective = new ProducerConfig(settings);

        assertThat(effective.getString(ProducerConfig.ACKS_CONFIG)).isEqualTo("-1");
        assertThat(effective.getBoolean(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG)).isTrue();
        assertThat(effective.getLong(ProducerConfig.LINGER_MS_CONFIG)).isEqualTo(5L);
    }

    @Test
    void noClientPushesItsMetricsToTheBrokers() {
        KafkaClients clients = new KafkaClients(CONNECTION);

        assertThat(clients.settings(Map.of())).containsEntry(CommonClientConfigs.ENABLE_METRICS_PUSH_CONFIG, "false");
        Properties outcomes = clients.outcomeWriterSettings(5, 1000, 1 << 20);
        outcomes.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        outcomes.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        assertThat(new ProducerConfig(outcomes).getBoolean(CommonClientConfigs.ENABLE_METRICS_PUSH_CONFIG)).isFalse();
    }

    @Test
    void aFollowerOfTheInstancesOwnRecordsFetchesInBatchesWithABoundedWait() {
        KafkaClients clients = new KafkaClients(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "broker:9092"));

        Properties settings = clients.batchedTopicFollowerSettings();

        assertThat(settings).containsEntry(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, "65536")
                .containsEntry(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100")
                .containsEntry(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false")
                .containsEntry(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    }

    @Test
    void everyClientAcceptsItsSettingsWithoutABroker() {
        // Creating a client checks its settings (e.g. idempotence with acks); none connects before it is used.
        KafkaClients clients = new KafkaClients(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9"));
        clients.topicFollower().close(Duration.ZERO);
        clients.batchedTopicFollower().close(Duration.ZERO);
        clients.recordReader().close(Duration.ZERO);
        clients.textReader().close(Duration.ZERO);
        clients.groupMember("test.group", 50).close(Duration.ZERO);
        clients.stateWriter().close(Duration.ZERO);
        clients.producer().close(Duration.ZERO);
        clients.outcomeWriter(5, 1000, 1 << 20).close(Duration.ZERO);
        clients.admin().close(Duration.ZERO);
    }
}
