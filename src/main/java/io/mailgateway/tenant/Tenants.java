package io.mailgateway.tenant;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.annotation.JsonCreator;

import io.mailgateway.request.MailAddress;
import io.mailgateway.yaml.SettingsFile;

/**
 * The tenants file, read once at start-up: each tenant's From, Reply-To, locale, template variables, relays, send-rate
 * limit and bulk mail. Every key is checked, so a misspelt one stops start-up instead of being ignored.
 */
public final class Tenants {

    private final Path file;
    private final Map<String, Tenant> byId;
    private final Map<String, Tenant> byTopic;
    private final String sharedTopic;

    private Tenants(Path file, Map<String, Tenant> byId, String sharedTopic) {
        this.file = file;
        this.byId = Collections.unmodifiableMap(new LinkedHashMap<>(byId));
        this.byTopic = TenantTopics.byTopic(file, byId.values());
        this.sharedTopic = sharedTopic;
    }

    /** No tenants; the shared request topic is not known (for parts of the gateway that do not consume). */
    public static Tenants none() {
        return new Tenants(null, Map.of(), null);
    }

    /** No tenants: every request arrives on the shared request topic. */
    public static Tenants none(String sharedTopic) {
        return new Tenants(null, Map.of(), sharedTopic);
    }

    /**
     * Reads a YAML (or JSON) file with a top-level {@code tenants:} map; a broken file stops start-up. The shared
     * request topic is not known, so tenant topics are not checked against the gateway's own topics.
     */
    public static Tenants load(Path file) {
        TenantsFile settings = SettingsFile.read(file, "tenants", TenantsFile.class);
        String pattern = settings.topicPattern() == null ? null
                : TenantTopics.pattern(SettingsFile.where(file, "topicPattern"), settings.topicPattern());
        boolean topicBound = pattern != null
                || settings.tenants().values().stream().anyMatch(tenant -> tenant != null && tenant.topic() != null);
        Map<String, Tenant> byId = new LinkedHashMap<>();
        settings.tenants().forEach((id, tenant) -> {
            String topic = topicBound ? TenantTopics.topicOf(where(file, id), id,
                    tenant == null ? null : tenant.topic(), pattern) : null;
            byId.put(id, tenant(where(file, id), id, tenant, topic));
        });
        return new Tenants(file, byId, null);
    }

    /**
     * The tenants file of a consuming gateway: no tenant topic may be one of the gateway's own topics.
     *
     * @param sharedTopic   the request topic of requests that name no tenant by their topic
     * @param gatewayTopics every topic the gateway reads or writes besides tenant topics, the shared one included
     */
    public static Tenants load(Path file, String sharedTopic, Collection<String> gatewayTopics) {
        Tenants tenants = load(file);
        for (Tenant tenant : tenants.all()) {
            if (tenant.topic() != null && gatewayTopics.contains(tenant.topic())) {
                throw new IllegalStateException(tenants.where(tenant, "topic") + ": '" + tenant.topic()
                        + "' is one of the gateway's own topics; a tenant needs a topic of its own");
            }
        }
        return new Tenants(file, tenants.byId, sharedTopic);
    }

    private static Tenant tenant(String where, String id, TenantSettings settings, String topic) {
        if (settings == null) {
            return new Tenant(id, null, null, null, Map.of(), List.of(), null, null, null, null, topic);
        }
        return new Tenant(id, address(settings.from()), address(settings.replyTo()), settings.locale(),
                variables(where + ".variables", settings.variables()),
                settings.relays() == null ? List.of() : relays(where + ".relays", settings.relays()),
                settings.rateLimit() == null ? null : rateLimit(where + ".rateLimit", settings.rateLimit()),
                settings.bulk() == null ? null : bulk(where + ".bulk", settings.bulk()),
                settings.dkim() == null || settings.dkim().withoutKey() == null ? null
                        : Tenant.WithoutDkimKey.valueOf(settings.dkim().withoutKey().toUpperCase(Locale.ROOT)),
                settings.bounceDomain() == null ? null : domain(where + ".bounceDomain", settings.bounceDomain()),
                topic);
    }

    private static String domain(String where, String domain) {
        String trimmed = domain.trim().toLowerCase(Locale.ROOT);
        if (!trimmed.matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+")) {
            throw new IllegalStateException(where + " is not a domain name: '" + domain + "'");
        }
        return trimmed;
    }

    private static MailAddress address(AddressSetting setting) {
        return setting == null ? null : new MailAddress(setting.address(), setting.name());
    }

    private static Map<String, Object> variables(String where, Map<String, Object> variables) {
        if (variables == null) {
            return Map.of();
        }
        if (variables.containsValue(null)) {
            throw new IllegalStateException(where + " must give every variable a value");
        }
        return variables;
    }

    // Whether the relays exist is checked against the relays file when the relays are set up.
    private static List<String> relays(String where, List<String> relays) {
        List<String> names = new ArrayList<>();
        for (String relay : relays) {
            if (relay == null || relay.isBlank()) {
                throw new IllegalStateException(where + ": every entry must be a name");
            }
            names.add(relay.trim());
        }
        return names;
    }

    private static Tenant.RateLimit rateLimit(String where, RateLimitSetting setting) {
        return Tenant.RateLimit.fromSettings(where, setting.messages(), setting.per());
    }

    private static Tenant.Bulk bulk(String where, BulkSetting setting) {
        String url = setting.unsubscribeUrl();
        if (!url.contains(Tenant.Bulk.TOKEN_PLACEHOLDER)) {
            throw new IllegalStateException(where + ".unsubscribeUrl must contain " + Tenant.Bulk.TOKEN_PLACEHOLDER);
        }
        checkScheme(where + ".unsubscribeUrl", url);
        boolean byDefault = Boolean.TRUE.equals(setting.byDefault());
        List<String> kinds = setting.kinds() == null ? List.of() : setting.kinds();
        List<String> transactional = setting.transactionalKinds() == null ? List.of() : setting.transactionalKinds();
        if (!byDefault && kinds.isEmpty()) {
            throw new IllegalStateException(where + ".kinds must list the bulk kinds of request (tags.kind), unless"
                    + " byDefault: true makes all of the tenant's mail bulk");
        }
        if (!byDefault && !transactional.isEmpty()) {
            throw new IllegalStateException(where + ".transactionalKinds only applies with byDefault: true");
        }
        List<String> both = kinds.stream().filter(transactional::contains).toList();
        if (!both.isEmpty()) {
            throw new IllegalStateException(where + ": kinds " + both + " are listed as bulk and as transactional");
        }
        return new Tenant.Bulk(new LinkedHashSet<>(kinds), url, byDefault, new LinkedHashSet<>(transactional));
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

    private static String where(Path file, String id) {
        return SettingsFile.where(file, "tenants." + id);
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

    /** Whether the tenant of a request follows from its topic (topicPattern or a tenant's topic in the file). */
    public boolean topicBound() {
        return !byTopic.isEmpty();
    }

    /** The topics requests arrive on: the shared request topic first (when known), then every tenant's topic. */
    public List<String> requestTopics() {
        List<String> topics = new ArrayList<>();
        if (sharedTopic != null) {
            topics.add(sharedTopic);
        }
        topics.addAll(byTopic.keySet());
        return List.copyOf(topics);
    }

    /** The tenant whose requests arrive on the topic; empty for the shared topic or any other. */
    public Optional<Tenant> tenantOfTopic(String topic) {
        return Optional.ofNullable(topic == null ? null : byTopic.get(topic));
    }

    /** The tenants file as written, in the shape schemas/tenants.schema.json publishes. */
    private record TenantsFile(Map<String, TenantSettings> tenants, String topicPattern) {
    }

    private record TenantSettings(AddressSetting from, AddressSetting replyTo, String locale,
            Map<String, Object> variables, List<String> relays, RateLimitSetting rateLimit, BulkSetting bulk,
            DkimSetting dkim, String bounceDomain, String topic) {
    }

    private record DkimSetting(String withoutKey) {
    }

    /** An address written as a plain string or as {address, name}. */
    private record AddressSetting(String address, String name) {

        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        static AddressSetting of(String address) {
            return new AddressSetting(address, null);
        }
    }

    private record RateLimitSetting(int messages, String per) {
    }

    private record BulkSetting(List<String> kinds, String unsubscribeUrl, Boolean byDefault,
            List<String> transactionalKinds) {
    }
}
