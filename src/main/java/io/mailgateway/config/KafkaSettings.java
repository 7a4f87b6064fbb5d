package io.mailgateway.config;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;

import io.mailgateway.background.RestartBackoff;
import io.mailgateway.kafka.FollowerSettings;
import io.mailgateway.kafka.KafkaClients;
import io.mailgateway.kafka.PoisonRecords;

/**
 * How the gateway's own Kafka clients (retry queue, state and suppression readers, topic checks, lag) reach the
 * brokers and recover from faults.
 *
 * <p>Owns the {@code camel.component.kafka.*} connection settings (reused from camel-kafka so both speak to the same
 * cluster the same way), {@code gateway.follower.timeout-ms} and {@code gateway.restart.backoff-*}.
 *
 * @param security the SASL and TLS settings that are not blank, by Kafka client key: blank ones keep the Kafka
 *                 client's own defaults
 */
public record KafkaSettings(String brokers, String securityProtocol, Map<String, String> security,
        Duration followerTimeout, Duration restartBackoffMin, Duration restartBackoffMax) {

    private static final Map<String, String> SECURITY_KEYS = Map.of(
            "camel.component.kafka.saslMechanism", SaslConfigs.SASL_MECHANISM,
            "camel.component.kafka.saslJaasConfig", SaslConfigs.SASL_JAAS_CONFIG,
            "camel.component.kafka.sslTruststoreLocation", SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG,
            "camel.component.kafka.sslTruststorePassword", SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG,
            "camel.component.kafka.sslTruststoreType", SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG,
            "camel.component.kafka.sslKeystoreLocation", SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG,
            "camel.component.kafka.sslKeystorePassword", SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG,
            "camel.component.kafka.sslKeystoreType", SslConfigs.SSL_KEYSTORE_TYPE_CONFIG);

    public KafkaSettings {
        security = Map.copyOf(security);
    }

    public static KafkaSettings from(Settings source) {
        Map<String, String> security = new HashMap<>();
        SECURITY_KEYS.forEach((key, clientKey) ->
                source.optional(key).ifPresent(value -> security.put(clientKey, value)));
        return new KafkaSettings(source.text("camel.component.kafka.brokers"),
                source.text("camel.component.kafka.securityProtocol", "PLAINTEXT"), security,
                source.millis("gateway.follower.timeout-ms", 30000),
                source.millis("gateway.restart.backoff-min-ms", 1000),
                source.millis("gateway.restart.backoff-max-ms", 30000));
    }

    /** Makes the gateway's own Kafka clients; it holds no connection itself, so one per service is fine. */
    public KafkaClients clients() {
        return new KafkaClients(clientProperties());
    }

    /** The properties every Kafka client of the gateway starts from. */
    public Map<String, Object> clientProperties() {
        Map<String, Object> props = new HashMap<>(security);
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, brokers);
        props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, securityProtocol);
        return props;
    }

    public RestartBackoff restartBackoff() {
        return new RestartBackoff(restartBackoffMin, restartBackoffMax);
    }

    public FollowerSettings followerSettings(PoisonRecords poisonRecords) {
        return new FollowerSettings(followerTimeout, restartBackoff(), poisonRecords);
    }

    /** Names the brokers and which optional settings are set, never their values: some are passwords. */
    @Override
    public String toString() {
        return "KafkaSettings[" + brokers + " " + securityProtocol + ", set " + security.keySet().stream().sorted()
                .toList() + "]";
    }
}
