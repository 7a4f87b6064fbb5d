package io.mailgateway.enrich;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.mailgateway.request.MailAddress;

/** The tenants file: per-tenant From, Reply-To, locale and template variables, read once at start-up. */
public final class Tenants {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final Map<String, Tenant> byId;

    private Tenants(Map<String, Tenant> byId) {
        this.byId = Map.copyOf(byId);
    }

    public static Tenants none() {
        return new Tenants(Map.of());
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
            byId.put(entry.getKey(), tenant(file, entry.getKey(), entry.getValue()));
        }
        return new Tenants(byId);
    }

    private static Tenant tenant(Path file, String id, JsonNode node) {
        String where = file + ": tenants." + id;
        if (node.isNull()) {
            return new Tenant(id, null, null, null, Map.of());
        }
        if (!node.isObject()) {
            throw new IllegalStateException(where + " must be a map of from, replyTo, locale and variables");
        }
        return new Tenant(id, address(where + ".from", node.get("from")), address(where + ".replyTo", node.get("replyTo")),
                node.hasNonNull("locale") ? node.get("locale").asText() : null,
                variables(where + ".variables", node.get("variables")));
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
            return new MailAddress(node.get("address").asText(), node.hasNonNull("name") ? node.get("name").asText() : null);
        }
        throw new IllegalStateException(where + " must be an address or {address, name}");
    }

    public Optional<Tenant> find(String id) {
        return Optional.ofNullable(id == null ? null : byId.get(id));
    }

    public boolean isEmpty() {
        return byId.isEmpty();
    }
}
