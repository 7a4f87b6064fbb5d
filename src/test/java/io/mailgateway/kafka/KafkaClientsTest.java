package io.mailgateway.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
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
    void everyClientAcceptsItsSettingsWithoutABroker() {
        // Creating a client checks its settings (e.g. idempotence with acks); none connects before it is used.
        KafkaClients clients = new KafkaClients(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9"));
        clients.topicFollower().close(Duration.ZERO);
        clients.recordReader().close(Duration.ZERO);
        clients.textReader().close(Duration.ZERO);
        clients.groupMember("test.group", 50).close(Duration.ZERO);
        clients.stateWriter().close(Duration.ZERO);
        clients.producer().close(Duration.ZERO);
        clients.admin().close(Duration.ZERO);
    }
}
