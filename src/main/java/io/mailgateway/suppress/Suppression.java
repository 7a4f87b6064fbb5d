package io.mailgateway.suppress;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One entry of the suppression list: an address the gateway must not send to, why, and until when.
 *
 * @param address   the address as it was added
 * @param reason    one of {@link #REASONS}
 * @param tenant    the tenant the entry came from (e.g. whose newsletter was unsubscribed), or null
 * @param addedAt   when the entry was added
 * @param expiresAt when the entry stops suppressing, or null for "addedAt plus the configured time to live"
 * @param source    where the entry came from, such as the delivery event that caused it, or null
 */
public record Suppression(String address, String reason, String tenant, Instant addedAt, Instant expiresAt,
        String source) {

    public Suppression(String address, String reason, String tenant, Instant addedAt, Instant expiresAt) {
        this(address, reason, tenant, addedAt, expiresAt, null);
    }

    public static final String HARD_BOUNCE = "hard-bounce";
    public static final String UNSUBSCRIBE = "unsubscribe";
    public static final String COMPLAINT = "complaint";
    /** Too many soft bounces in a row of days: the mailbox keeps refusing, if only for now. */
    public static final String SOFT_BOUNCES = "soft-bounces";
    public static final String MANUAL = "manual";
    public static final Set<String> REASONS = Set.of(HARD_BOUNCE, SOFT_BOUNCES, UNSUBSCRIBE, COMPLAINT, MANUAL);

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The form an address is compared and keyed in: surrounding blanks removed, lower case. Mailbox providers treat
     * the local part case-insensitively in practice, and a suppression list must not miss "Alice@Example.org"
     * because it was added as "alice@example.org".
     */
    public static String normalize(String address) {
        return address.trim().toLowerCase(Locale.ROOT);
    }

    /**
     * Whether this entry suppresses only bulk mail. An unsubscribe is from a newsletter, not from the service: the
     * person still needs their password resets and order confirmations. A hard bounce, a complaint or a manual
     * entry stops all mail to the address.
     */
    public boolean bulkOnly() {
        return UNSUBSCRIBE.equals(reason);
    }

    /**
     * The record key of this entry on the suppression topic: a tenant's unsubscribe is keyed by tenant and address
     * ({@link #unsubscribeKey}), so it stops only that tenant's bulk mail; every other entry by the normalised
     * address, and applies to all tenants.
     */
    public String key() {
        return tenantScoped() ? unsubscribeKey(tenant, address) : normalize(address);
    }

    /** Whether this entry applies to its tenant's mail only: an unsubscribe from a tenant's bulk mail. */
    public boolean tenantScoped() {
        return UNSUBSCRIBE.equals(reason) && tenant != null;
    }

    /**
     * The key of a tenant's unsubscribe entry: the URL-encoded tenant, a colon and the address, all in lower case
     * (so tenant ids that differ only in case share their unsubscribes). An encoded tenant has no colon, '@' or
     * '"', while an address has no colon before its '@' unless its local part is quoted (and then it starts with
     * '"'): such a key is never an address, nor the key of another tenant or address.
     */
    public static String unsubscribeKey(String tenant, String address) {
        return normalize(URLEncoder.encode(tenant, StandardCharsets.UTF_8) + ":" + normalize(address));
    }

    /** When the entry stops suppressing: its own expiry if it has one, else addedAt plus the time to live. */
    public Instant effectiveExpiry(Duration timeToLive) {
        return expiresAt != null ? expiresAt : addedAt.plus(timeToLive);
    }

    /** The record value on the suppression topic. */
    public byte[] toJson() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("address", address);
        fields.put("reason", reason);
        if (tenant != null) {
            fields.put("tenant", tenant);
        }
        fields.put("addedAt", addedAt.toString());
        if (expiresAt != null) {
            fields.put("expiresAt", expiresAt.toString());
        }
        if (source != null) {
            fields.put("source", source);
        }
        try {
            return JSON.writeValueAsBytes(fields);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings is always JSON", e);
        }
    }

    /**
     * Reads a record value of the suppression topic.
     *
     * @param key            the record key: the normalised address, or for a tenant's unsubscribe its
     *                       {@link #unsubscribeKey} (an unsubscribe keyed by address applies to all tenants)
     * @param fallbackAddedAt when the value names no addedAt: the record's timestamp
     * @throws IllegalArgumentException naming the field that is wrong (never its value: it may be an address)
     */
    public static Suppression fromJson(String key, byte[] value, Instant fallbackAddedAt) {
        JsonNode node;
        try {
            node = JSON.readTree(value);
        } catch (Exception e) {
            throw new IllegalArgumentException("value: not JSON");
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("value: not a JSON object");
        }
        String address = text(node, "address");
        if (address == null || address.isBlank() || !address.contains("@")) {
            throw new IllegalArgumentException("address: missing or not an address");
        }
        String reason = text(node, "reason");
        if (reason == null || !REASONS.contains(reason)) {
            throw new IllegalArgumentException("reason: must be one of " + String.join(", ", REASONS.stream().sorted().toList()));
        }
        String tenant = text(node, "tenant");
        boolean addressKey = key != null && normalize(key).equals(normalize(address));
        boolean tenantKey = key != null && UNSUBSCRIBE.equals(reason) && tenant != null
                && normalize(key).equals(unsubscribeKey(tenant, address));
        if (!addressKey && !tenantKey) {
            throw new IllegalArgumentException("key: must be the normalised address (trimmed, lower case), or for"
                    + " an unsubscribe from a tenant's mail the tenant (URL-encoded), ':' and the address");
        }
        Instant addedAt = instant(node, "addedAt");
        return new Suppression(address, reason, tenant, addedAt == null ? fallbackAddedAt : addedAt,
                instant(node, "expiresAt"), text(node, "source"));
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new IllegalArgumentException(field + ": must be a string");
        }
        return value.asText();
    }

    private static Instant instant(JsonNode node, String field) {
        String text = text(node, field);
        try {
            return text == null ? null : Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(field + ": must be an ISO-8601 instant such as 2026-12-01T10:00:00Z");
        }
    }
}
