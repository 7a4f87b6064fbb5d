package io.mailgateway.tenant;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.apache.camel.util.TimeUtils;

import io.mailgateway.request.MailAddress;

/**
 * The tenants file, read once at start-up: each tenant's From, Reply-To, locale, template variables, relays, send-rate
 * limit and bulk mail. Every key is checked, so a misspelt one stops start-up instead of being ignored.
 */
public final class Tenants {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final List<String> TENANT_KEYS =
            List.of("from", "replyTo", "locale", "variables", "relays", "rateLimit", "bulk");

    private final Path file;
    private final Map<String, Tenant> byId;

    private Tenants(Path file, Map<String, Tenant> byId) {
        this.file = file;
        this.byId = Map.copyOf(byId);
    }

    public static Tenants none() {
        return new Tenants(null, Map.of());
    }

    /** Reads a YAML (or JSON) file with a top-level {@code tenants:} map; a broken file stops start-up. */
    public static Tenants load(Path file) {
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
        Map<String, Tenant> byId = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = tenants.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> entry = it.next();
            byId.put(entry.getKey(), tenant(where(file, entry.getKey()), entry.getKey(), entry.getValue()));
        }
        return new Tenants(file, byId);
    }

    private static Tenant tenant(String where, String id, JsonNode node) {
        if (node.isNull()) {
            return new Tenant(id, null, null, null, Map.of(), List.of(), null, null);
        }
        if (!node.isObject()) {
            throw new IllegalStateException(where + " must be a map of " + String.join(", ", TENANT_KEYS));
        }
        requireKnownKeys(where, node, TENANT_KEYS);
        return new Tenant(id, address(where + ".from", node.get("from")), address(where + ".replyTo", node.get("replyTo")),
                node.hasNonNull("locale") ? node.get("locale").asText() : null,
                variables(where + ".variables", node.get("variables")),
                node.hasNonNull("relays") ? relays(where + ".relays", node.get("relays")) : List.of(),
                node.hasNonNull("rateLimit") ? rateLimit(where + ".rateLimit", node.get("rateLimit")) : null,
                node.hasNonNull("bulk") ? bulk(where + ".bulk", node.get("bulk")) : null);
    }

    private static Map<String, Object> variables(String where, JsonNode node) {
        if (node == null || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw new IllegalStateException(where + " must be a map of variable names to values");
        }
        Map<String, Object> variables = YAML.convertValue(node, new TypeReference<Map<String, Object>>() { });
        if (variables.containsValue(null)) {
            throw new IllegalStateException(where + " must give every variable a value");
        }
        return variables;
    }

    private static MailAddress address(String where, JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return new MailAddress(node.asText(), null);
        }
        if (node.isObject() && node.hasNonNull("address")) {
            requireKnownKeys(where, node, List.of("address", "name"));
            return new MailAddress(node.get("address").asText(), node.hasNonNull("name") ? node.get("name").asText() : null);
        }
        throw new IllegalStateException(where + " must be an address or {address, name}");
    }

    // Whether the relays exist is checked against the relays file when the relays are set up.
    private static List<String> relays(String where, JsonNode node) {
        if (!node.isArray() || node.isEmpty()) {
            throw new IllegalStateException(where + ": must be a non-empty list");
        }
        List<String> names = new ArrayList<>();
        for (JsonNode element : node) {
            if (!element.isTextual() || element.asText().isBlank()) {
                throw new IllegalStateException(where + ": every entry must be a name");
            }
            names.add(element.asText().trim());
        }
        return names;
    }

    private static Tenant.RateLimit rateLimit(String where, JsonNode node) {
        if (!node.isObject() || !node.has("messages") || !node.has("per")) {
            throw new IllegalStateException(where + ": must be {messages: N, per: DURATION}, e.g. {messages: 10, per: 1s}");
        }
        requireKnownKeys(where, node, List.of("messages", "per"));
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
        return new Tenant.RateLimit(messages.asInt(), per);
    }

    private static Tenant.Bulk bulk(String where, JsonNode node) {
        if (!node.isObject() || !node.path("kinds").isArray() || node.get("kinds").isEmpty()) {
            throw new IllegalStateException(where + " must be a map with a non-empty list 'kinds' and 'unsubscribeUrl'");
        }
        requireKnownKeys(where, node, List.of("kinds", "unsubscribeUrl"));
        Set<String> kinds = new LinkedHashSet<>();
        node.get("kinds").forEach(kind -> kinds.add(kind.asText()));
        String url = node.path("unsubscribeUrl").asText("");
        if (!url.contains(Tenant.Bulk.TOKEN_PLACEHOLDER)) {
            throw new IllegalStateException(where + ".unsubscribeUrl must contain " + Tenant.Bulk.TOKEN_PLACEHOLDER);
        }
        checkScheme(where + ".unsubscribeUrl", url);
        return new Tenant.Bulk(kinds, url);
    }

    // RFC 8058 asks for HTTPS; plain HTTP is accepted only on this host, for trying the gateway out locally.
    private static void checkScheme(String where, String url) {
        try {
            URI uri = new URI(url.replace(Tenant.Bulk.TOKEN_PLACEHOLDER, "token"));
            String host = uri.getHost() == null ? "" : uri.getHost();
            boolean loopback = host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]");
            if (!"https".equalsIgnoreCase(uri.getScheme()) && !("http".equalsIgnoreCase(uri.getScheme()) && loopback)) {
                throw new IllegalStateException(where + " must be an https:// URL (RFC 8058)");
            }
        } catch (URISyntaxException e) {
            throw new IllegalStateException(where + " is not a URL: " + e.getReason());
        }
    }

    private static void requireKnownKeys(String where, JsonNode node, List<String> known) {
        for (Iterator<String> keys = node.fieldNames(); keys.hasNext();) {
            String key = keys.next();
            if (!known.contains(key)) {
                throw new IllegalStateException(where + "." + key + ": unknown key; known keys: " + String.join(", ", known));
            }
        }
    }

    private static String where(Path file, String id) {
        return file + ": tenants." + id;
    }

    /** Where a key of a tenant is in the tenants file, for start-up errors found with other settings. */
    public String where(Tenant tenant, String key) {
        return where(file, tenant.id()) + "." + key;
    }

    public Optional<Tenant> find(String id) {
        return Optional.ofNullable(id == null ? null : byId.get(id));
    }

    public Collection<Tenant> all() {
        return byId.values();
    }

    public boolean isEmpty() {
        return byId.isEmpty();
    }
}
