package io.mailgateway.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.local.LocalKafkaBroker;
import io.mailgateway.support.FreePorts;
import io.mailgateway.support.InJvmGateway;
import io.mailgateway.support.TestRelay;

/**
 * Tenants bound to topics on a broker that checks rights (KRaft with the standard authorizer, SASL/PLAIN users, ACLs
 * as docs/security.md asks): a producer cannot write another tenant's topic, and a request on a tenant's topic
 * that names another tenant is REJECTED while nothing reaches the other tenant's relay.
 */
class TenantTopicAclIT {

    private static final String ACME_TOPIC = "mail.outbound.acme";
    private static final String GLOBEX_TOPIC = "mail.outbound.globex";
    private static final Map<String, String> PASSWORDS = Map.of(
            "gateway", "gateway-" + UUID.randomUUID(),
            "acme", "acme-" + UUID.randomUUID(),
            "globex", "globex-" + UUID.randomUUID(),
            "admin", "admin-" + UUID.randomUUID());

    @Test
    void aTenantsProducerCanUseOnlyItsOwnTenant(@TempDir Path work) throws Exception {
        int saslPort = FreePorts.next();
        String saslBootstrap = "127.0.0.1:" + saslPort;
        LocalKafkaBroker broker = LocalKafkaBroker.start(work.resolve("kafka"), "SASL_PLAINTEXT://" + saslBootstrap,
                brokerSettings());
        try (Admin admin = Admin.create(sasl(saslBootstrap, "admin", new Properties()))) {
            admin.createAcls(acls()).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            broker.close();
            throw e;
        }

        try (TestRelay globexRelay = new TestRelay(work.resolve("globex-relay"), false);
                InJvmGateway gateway = InJvmGateway.start(work, broker,
                        gatewaySettings(work, saslBootstrap, globexRelay), ACME_TOPIC, GLOBEX_TOPIC);
                KafkaProducer<String, byte[]> acme = producer(saslBootstrap, "acme");
                KafkaProducer<String, byte[]> globex = producer(saslBootstrap, "globex")) {
            String sneaky = "sneaky-" + UUID.randomUUID();
            assertThatThrownBy(() -> acme.send(record(GLOBEX_TOPIC, sneaky, "")).get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(TopicAuthorizationException.class);

            String impostor = "impostor-" + UUID.randomUUID();
            acme.send(record(ACME_TOPIC, impostor, ", \"tags\": {\"tenant\": \"globex\"}")).get(30, TimeUnit.SECONDS);
            String own = "own-" + UUID.randomUUID();
            acme.send(record(ACME_TOPIC, own, "")).get(30, TimeUnit.SECONDS);

            JsonNode rejected = gateway.results().awaitStatus(impostor, "REJECTED");
            assertThat(rejected.path("reason").path("category").asText()).isEqualTo("invalid-request");
            assertThat(rejected.path("reason").path("detail").asText()).startsWith("tags.tenant:");
            JsonNode sent = gateway.results().awaitStatus(own, "SENT");
            assertThat(sent.path("tags").path("tenant").asText()).isEqualTo("acme");
            assertThat(gateway.relay().server().acceptedCount()).isEqualTo(1);
            assertThat(globexRelay.server().acceptedCount()).isZero();
            assertThat(gateway.results().allJson(sneaky)).isEmpty();

            // Globex's relay does take globex's own requests: its silence above was the ACLs and the check.
            String globexOwn = "globex-" + UUID.randomUUID();
            globex.send(record(GLOBEX_TOPIC, globexOwn, "")).get(30, TimeUnit.SECONDS);
            gateway.results().awaitStatus(globexOwn, "SENT");
            await().atMost(Duration.ofSeconds(30)).until(() -> globexRelay.server().acceptedCount() == 1);
            assertThat(gateway.relay().server().acceptedCount()).isEqualTo(1);
        }
    }

    private static Map<String, String> brokerSettings() {
        StringBuilder users = new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required");
        PASSWORDS.forEach((user, password) -> users.append(" user_").append(user).append("=\"").append(password)
                .append('"'));
        // Test clients on the plain listener (creating topics, reading results) are super users, as is admin.
        return Map.of(
                "authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                "super.users", "User:ANONYMOUS;User:admin",
                "sasl.enabled.mechanisms", "PLAIN",
                "listener.name.sasl_plaintext.plain.sasl.jaas.config", users.append(';').toString());
    }

    /** Each producer writes only its tenant's topic; the gateway reads every request topic and writes its own. */
    private static List<AclBinding> acls() {
        List<AclBinding> acls = new ArrayList<>();
        acls.add(allow("acme", ResourceType.TOPIC, ACME_TOPIC, PatternType.LITERAL, AclOperation.WRITE));
        acls.add(allow("globex", ResourceType.TOPIC, GLOBEX_TOPIC, PatternType.LITERAL, AclOperation.WRITE));
        acls.add(allow("gateway", ResourceType.GROUP, InJvmGateway.GROUP, PatternType.PREFIXED, AclOperation.ALL));
        for (String topic : List.of(InJvmGateway.OUTBOUND, ACME_TOPIC, GLOBEX_TOPIC)) {
            acls.add(allow("gateway", ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.READ));
        }
        for (String topic : List.of(InJvmGateway.RESULTS, InJvmGateway.DLQ)) {
            acls.add(allow("gateway", ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.WRITE));
        }
        for (String topic : List.of("mail.retry", "mail.state", InJvmGateway.SUPPRESSIONS)) {
            acls.add(allow("gateway", ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.READ));
            acls.add(allow("gateway", ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.WRITE));
        }
        return acls;
    }

    private static Map<String, String> gatewaySettings(Path work, String saslBootstrap, TestRelay globexRelay)
            throws Exception {
        Path relayPassword = Files.writeString(work.resolve("globex-relay-password"), globexRelay.password());
        Path relays = Files.writeString(work.resolve("relays.yaml"), """
                relays:
                  globex-relay:
                    host: localhost
                    port: %d
                    username: %s
                    passwordFile: %s
                    trustCaFile: %s
                """.formatted(globexRelay.port(), TestRelay.USERNAME, relayPassword, globexRelay.caPemFile()));
        Path tenants = Files.writeString(work.resolve("topic-tenants.yaml"), """
                topicPattern: mail.outbound.{tenant}
                tenants:
                  acme:
                    from: shop@acme.example
                    relays: [default]
                  globex:
                    from: globex@acme.example
                    relays: [globex-relay]
                """);
        return Map.of(
                "camel.component.kafka.brokers", saslBootstrap,
                "camel.component.kafka.securityProtocol", "SASL_PLAINTEXT",
                "camel.component.kafka.saslMechanism", "PLAIN",
                "camel.component.kafka.saslJaasConfig", jaas("gateway"),
                "gateway.tenants-file", tenants.toString(),
                "gateway.relays-file", relays.toString());
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrap, String user) {
        Properties props = sasl(bootstrap, user, new Properties());
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 20_000);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    private static Properties sasl(String bootstrap, String user, Properties props) {
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
        props.put(SaslConfigs.SASL_MECHANISM, "PLAIN");
        props.put(SaslConfigs.SASL_JAAS_CONFIG, jaas(user));
        return props;
    }

    private static String jaas(String user) {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user
                + "\" password=\"" + PASSWORDS.get(user) + "\";";
    }

    private static ProducerRecord<String, byte[]> record(String topic, String id, String moreFields) {
        String request = "{\"id\": \"%s\", \"to\": [\"%s@example.org\"], \"subject\": \"s\", \"text\": \"t\"%s}"
                .formatted(id, id, moreFields);
        return new ProducerRecord<>(topic, id, request.getBytes(StandardCharsets.UTF_8));
    }

    private static AclBinding allow(String user, ResourceType type, String name, PatternType pattern,
            AclOperation operation) {
        return new AclBinding(new ResourcePattern(type, name, pattern),
                new AccessControlEntry("User:" + user, "*", operation, AclPermissionType.ALLOW));
    }
}
