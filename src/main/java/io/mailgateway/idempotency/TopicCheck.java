package io.mailgateway.idempotency;

import static io.mailgateway.idempotency.OutcomeGuard.describe;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mailgateway.idempotency.OutcomeGuard.TopicUse;
import io.mailgateway.kafka.KafkaClients;

/** Asks the brokers whether every topic of the gateway exists and allows what the gateway does with it. */
final class TopicCheck {

    // The outcome guard's log: what operators read to learn why consumption is held.
    private static final Logger LOG = LoggerFactory.getLogger(OutcomeGuard.class);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration ADMIN_CLOSE_TIMEOUT = Duration.ofSeconds(1);

    private final KafkaClients clients;
    private final List<TopicUse> topics;
    private final Set<String> warnedNotCompacted = ConcurrentHashMap.newKeySet();

    TopicCheck(KafkaClients clients, List<TopicUse> topics) {
        this.clients = clients;
        this.topics = List.copyOf(topics);
    }

    /** Null when every topic exists and allows what the gateway does with it; else what is wrong. */
    String problem() {
        Admin admin = clients.admin();
        try {
            List<String> names = topics.stream().map(TopicUse::topic).distinct().toList();
            Map<String, KafkaFuture<TopicDescription>> described = admin.describeTopics(names,
                    new DescribeTopicsOptions().includeAuthorizedOperations(true)
                            .timeoutMs((int) ADMIN_TIMEOUT.toMillis())).topicNameValues();
            List<String> problems = new ArrayList<>();
            for (TopicUse use : topics) {
                try {
                    TopicDescription topic = described.get(use.topic()).get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    String missingRight = missingRight(use, topic.authorizedOperations());
                    if (missingRight != null) {
                        problems.add("no " + missingRight + " right on topic " + use.topic());
                    }
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                        problems.add("topic " + use.topic() + " does not exist");
                    } else if (e.getCause() instanceof TopicAuthorizationException) {
                        problems.add("no DESCRIBE right on topic " + use.topic());
                    } else {
                        return "cannot check the Kafka topics: " + describe(e.getCause());
                    }
                } catch (TimeoutException e) {
                    return "cannot reach Kafka to check the topics";
                }
            }
            if (problems.isEmpty()) {
                warnIfNotCompacted(admin);
            }
            return problems.isEmpty() ? null : String.join("; ", problems);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while checking the Kafka topics";
        } finally {
            // Closing waits for calls still pending; while Kafka is unreachable, that would hold up shutdown.
            admin.close(ADMIN_CLOSE_TIMEOUT);
        }
    }

    private static String missingRight(TopicUse use, Set<AclOperation> allowed) {
        // Null when the broker has no authorizer: everything is allowed then.
        if (allowed == null || allowed.contains(AclOperation.ALL)) {
            return null;
        }
        if (use.reads() && !allowed.contains(AclOperation.READ)) {
            return "READ";
        }
        if (use.writes() && !allowed.contains(AclOperation.WRITE)) {
            return "WRITE";
        }
        return null;
    }

    // A state topic that is not compacted still works, but grows without end; worth saying, not worth stopping for.
    private void warnIfNotCompacted(Admin admin) {
        List<ConfigResource> compacted = topics.stream().filter(TopicUse::compacted)
                .map(use -> new ConfigResource(ConfigResource.Type.TOPIC, use.topic()))
                .filter(resource -> !warnedNotCompacted.contains(resource.name())).toList();
        if (compacted.isEmpty()) {
            return;
        }
        try {
            Map<ConfigResource, Config> configs = admin.describeConfigs(compacted).all()
                    .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            configs.forEach((resource, config) -> {
                var policy = config.get(TopicConfig.CLEANUP_POLICY_CONFIG);
                if (policy == null || !policy.value().contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
                    warnedNotCompacted.add(resource.name());
                    LOG.warn("Topic {} is not compacted (cleanup.policy={}); it keeps every record it was ever given",
                            resource.name(), policy == null ? "?" : policy.value());
                }
            });
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("Cannot read the cleanup policy of the state topics: {}", describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
