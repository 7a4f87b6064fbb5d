package io.mailgateway.relay;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.apache.camel.util.TimeUtils;

/**
 * The relays and send-rate limits of the tenants file ({@code relays:} and {@code rateLimit:} of a tenant), read once
 * at start-up; the other keys of a tenant belong to enrichment.
 */
public final class TenantPolicies {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final Map<String, TenantPolicy> byTenant;

    private TenantPolicies(Map<String, TenantPolicy> byTenant) {
        this.byTenant = Map.copyOf(byTenant);
    }

    public static TenantPolicies none() {
        return new TenantPolicies(Map.of());
    }

    /**
     * @param relayNames the configured relays; a tenant naming another one stops start-up (null: not checked)
     */
    public static TenantPolicies load(Path file, Collection<String> relayNames) {
        JsonNode root;
        try {
            root = YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read the tenants file " + file + ": " + e.getMessage(), e);
        }
        JsonNode tenants = root == null ? null : root.get("tenants");
        if (tenants == null || !tenants.isObject()) {
            throw new IllegalStateException("The tenants file " + file + " needs a top-level 'tenants:' map");
        }
        Map<String, TenantPolicy> byTenant = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = tenants.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> entry = it.next();
            JsonNode tenant = entry.getValue();
            if (tenant == null || !tenant.isObject()) {
                continue;
            }
            String where = file + ": tenants." + entry.getKey();
            List<String> relays = List.of();
            if (tenant.hasNonNull("relays")) {
                relays = Relays.names(where + ".relays", tenant.get("relays"));
                if (relayNames != null) {
                    Relays.requireKnown(where + ".relays", relays, relayNames);
                }
            }
            RateLimit rateLimit = tenant.hasNonNull("rateLimit") ? rateLimit(where + ".rateLimit", tenant.get("rateLimit")) : null;
            if (!relays.isEmpty() || rateLimit != null) {
                byTenant.put(entry.getKey(), new TenantPolicy(entry.getKey(), relays, rateLimit));
            }
        }
        return new TenantPolicies(byTenant);
    }

    private static RateLimit rateLimit(String where, JsonNode node) {
        if (!node.isObject() || !node.has("messages") || !node.has("per")) {
            throw new IllegalStateException(where + ": must be {messages: N, per: DURATION}, e.g. {messages: 10, per: 1s}");
        }
        for (Iterator<String> keys = node.fieldNames(); keys.hasNext();) {
            String key = keys.next();
            if (!key.equals("messages") && !key.equals("per")) {
                throw new IllegalStateException(where + "." + key + ": unknown key; known keys: messages, per");
            }
        }
        JsonNode messages = node.get("messages");
        if (!messages.isIntegralNumber() || messages.asInt() < 1) {
            throw new IllegalStateException(where + ".messages: must be a whole number of at least 1");
        }
        Duration per;
        try {
            per = TimeUtils.toDuration(node.get("per").asText().trim());
        } catch (RuntimeException e) {
            throw new IllegalStateException(where + ".per: not a duration (e.g. 500ms, 1s, 1m): '" + node.get("per").asText() + "'");
        }
        if (per.isZero() || per.isNegative()) {
            throw new IllegalStateException(where + ".per: must be positive");
        }
        if (per.dividedBy(messages.asInt()).isZero()) {
            throw new IllegalStateException(where + ": more than one message per nanosecond is no limit");
        }
        return new RateLimit(messages.asInt(), per);
    }

    public Optional<TenantPolicy> find(String tenant) {
        return Optional.ofNullable(tenant == null ? null : byTenant.get(tenant));
    }

    public Collection<TenantPolicy> all() {
        return byTenant.values();
    }
}
