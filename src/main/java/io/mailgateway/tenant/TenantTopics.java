package io.mailgateway.tenant;

import java.nio.file.Path;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import io.mailgateway.yaml.SettingsFile;

/** Checks the topics tenants' requests arrive on: legal Kafka topic names, and one tenant per topic. */
final class TenantTopics {

    /** Where the tenant's id goes in the file's topicPattern. */
    static final String TENANT_PLACEHOLDER = "{tenant}";

    // Kafka's own rule for topic names; a tenant id must fit it too once it names a topic.
    private static final Pattern TOPIC_NAME = Pattern.compile("[A-Za-z0-9._-]{1,249}");

    private TenantTopics() {
    }

    static String pattern(String where, String pattern) {
        String trimmed = pattern.trim();
        if (!trimmed.contains(TENANT_PLACEHOLDER)) {
            throw new IllegalStateException(where + " must contain " + TENANT_PLACEHOLDER + ", e.g. 'mail.outbound."
                    + TENANT_PLACEHOLDER + "', but was '" + pattern + "'");
        }
        if (!legal(trimmed.replace(TENANT_PLACEHOLDER, "t"))) {
            throw new IllegalStateException(where + " is no Kafka topic name with " + TENANT_PLACEHOLDER
                    + " in it (letters, digits, '.', '_' and '-'): '" + pattern + "'");
        }
        return trimmed;
    }

    /** The tenant's own topic, else the pattern's; start-up is refused for a tenant left without one. */
    static String topicOf(String where, String id, String topic, String pattern) {
        if (topic != null) {
            String trimmed = topic.trim();
            if (!legal(trimmed)) {
                throw new IllegalStateException(where + ".topic is no Kafka topic name (letters, digits, '.', '_' and"
                        + " '-', at most 249): '" + topic + "'");
            }
            return trimmed;
        }
        if (pattern == null) {
            throw new IllegalStateException(where + ".topic is missing: the tenants file binds tenants to topics"
                    + " (a tenant has a topic), so every tenant needs one, or a top-level topicPattern");
        }
        if (!TOPIC_NAME.matcher(id).matches()) {
            throw new IllegalStateException(where + ": the tenant id '" + id + "' cannot be part of a Kafka topic name"
                    + " (letters, digits, '.', '_' and '-'); give the tenant a topic of its own");
        }
        String derived = pattern.replace(TENANT_PLACEHOLDER, id);
        if (!legal(derived)) {
            throw new IllegalStateException(where + ": topicPattern makes '" + derived
                    + "', which is no Kafka topic name; give the tenant a topic of its own");
        }
        return derived;
    }

    static Map<String, Tenant> byTopic(Path file, Collection<Tenant> tenants) {
        Map<String, Tenant> byTopic = new LinkedHashMap<>();
        for (Tenant tenant : tenants) {
            if (tenant.topic() == null) {
                continue;
            }
            Tenant other = byTopic.putIfAbsent(tenant.topic(), tenant);
            if (other != null) {
                throw new IllegalStateException(SettingsFile.where(file, "tenants." + tenant.id() + ".topic")
                        + ": '" + tenant.topic() + "' is already the topic of tenant " + other.id()
                        + "; a topic belongs to one tenant");
            }
        }
        return Collections.unmodifiableMap(byTopic);
    }

    private static boolean legal(String topic) {
        return TOPIC_NAME.matcher(topic).matches() && !topic.equals(".") && !topic.equals("..");
    }
}
