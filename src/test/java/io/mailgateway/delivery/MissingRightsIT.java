package io.mailgateway.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.local.LocalKafkaBroker;
import io.mailgateway.support.FreePorts;
import io.mailgateway.support.InJvmGateway;

/**
 * A broker that checks rights (KRaft with the standard authorizer, SASL/PLAIN users): while the gateway's user may
 * not write the results topic, readiness is DOWN naming the topic and the right, and nothing is sent; once the
 * right is granted, requests flow without a restart, each sent once.
 */
class MissingRightsIT {

    private static final String USER = "gateway";
    private static final String PASSWORD = "gateway-kafka-" + UUID.randomUUID();

    @Test
    void aTopicTheGatewayMayNotWriteHoldsConsumptionUntilTheRightIsGranted(@TempDir Path work) throws Exception {
        int saslPort = FreePorts.next();
        // Test clients use the plain listener as the super user; the gateway logs in as a user with ACLs only.
        LocalKafkaBroker broker = LocalKafkaBroker.start(work.resolve("kafka"),
                "SASL_PLAINTEXT://127.0.0.1:" + saslPort, Map.of(
                        "authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                        "super.users", "User:ANONYMOUS",
                        "sasl.enabled.mechanisms", "PLAIN",
                        "listener.name.sasl_plaintext.plain.sasl.jaas.config",
                        "org.apache.kafka.common.security.plain.PlainLoginModule required user_" + USER + "=\""
                                + PASSWORD + "\";"));
        try (Admin admin = admin(broker)) {
            admin.createAcls(gatewayRightsWithoutWritingResults()).all().get();
        } catch (Exception e) {
            broker.close();
            throw e;
        }

        try (InJvmGateway gateway = InJvmGateway.start(work, broker, Map.of(
                "camel.component.kafka.brokers", "127.0.0.1:" + saslPort,
                "camel.component.kafka.securityProtocol", "SASL_PLAINTEXT",
                "camel.component.kafka.saslMechanism", "PLAIN",
                "camel.component.kafka.saslJaasConfig", "org.apache.kafka.common.security.plain.PlainLoginModule"
                        + " required username=\"" + USER + "\" password=\"" + PASSWORD + "\";"))) {
            await().atMost(Duration.ofSeconds(60)).until(() -> gateway.httpStatus("/observe/health/ready") == 503
                    && gateway.httpBody("/observe/health/ready").contains("no WRITE right on topic mail.results"));

            String id = "waits-for-right-" + UUID.randomUUID();
            long offset = gateway.kafka().send(InJvmGateway.OUTBOUND, id, """
                    {"id": "%s", "to": ["%s@example.org"], "subject": "s", "text": "t"}""".formatted(id, id));
            assertThat(gateway.httpStatus("/observe/health/ready")).isEqualTo(503);
            assertThat(gateway.relay().server().acceptedCount()).isZero();
            assertThat(gateway.kafka().committedOffset(InJvmGateway.GROUP, InJvmGateway.OUTBOUND, 0))
                    .isLessThanOrEqualTo(offset);

            try (Admin admin = admin(broker)) {
                admin.createAcls(List.of(allow(ResourceType.TOPIC, InJvmGateway.RESULTS, PatternType.LITERAL,
                        AclOperation.WRITE))).all().get();
            }

            gateway.results().awaitStatus(id, "SENT");
            await().atMost(Duration.ofSeconds(30)).until(() -> gateway.httpStatus("/observe/health/ready") == 200);
            assertThat(gateway.relay().server().acceptedCount()).isEqualTo(1);
        }
    }

    /** What the gateway's user needs, except WRITE on the results topic. */
    private static List<AclBinding> gatewayRightsWithoutWritingResults() {
        List<AclBinding> acls = new ArrayList<>();
        acls.add(allow(ResourceType.GROUP, InJvmGateway.GROUP, PatternType.PREFIXED, AclOperation.ALL));
        acls.add(allow(ResourceType.TOPIC, InJvmGateway.OUTBOUND, PatternType.LITERAL, AclOperation.READ));
        acls.add(allow(ResourceType.TOPIC, InJvmGateway.RESULTS, PatternType.LITERAL, AclOperation.DESCRIBE));
        acls.add(allow(ResourceType.TOPIC, InJvmGateway.DLQ, PatternType.LITERAL, AclOperation.WRITE));
        for (String topic : List.of("mail.retry", "mail.state", InJvmGateway.SUPPRESSIONS)) {
            acls.add(allow(ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.READ));
            acls.add(allow(ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.WRITE));
        }
        return acls;
    }

    private static AclBinding allow(ResourceType type, String name, PatternType pattern, AclOperation operation) {
        return new AclBinding(new ResourcePattern(type, name, pattern),
                new AccessControlEntry("User:" + USER, "*", operation, AclPermissionType.ALLOW));
    }

    private static Admin admin(LocalKafkaBroker broker) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        return Admin.create(props);
    }
}
