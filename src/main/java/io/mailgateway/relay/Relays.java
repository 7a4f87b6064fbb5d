package io.mailgateway.relay;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.mailgateway.smtp.SmtpPoolSettings;
import io.mailgateway.smtp.SmtpSecurity;
import io.mailgateway.smtp.SmtpSettings;

/**
 * The relays the gateway may submit to and the routes that pick them by recipient domain: the relay of the SMTP_*
 * settings (named {@value Relay#DEFAULT}) and those of the relays file, read once at start-up. A mistake in the
 * file stops start-up with a message naming the file and the key.
 */
public final class Relays {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> RELAY_KEYS = Set.of("host", "port", "security", "allowPlaintext", "username",
            "passwordFile", "passwordEnv", "trustCaFile", "heloName", "connectTimeoutMs", "readTimeoutMs",
            "writeTimeoutMs", "pool");
    private static final Set<String> POOL_KEYS = Set.of("size", "maxMessagesPerConnection", "maxIdleMs");

    private final Map<String, Relay> byName;
    private final List<DomainRoute> routes;

    private Relays(Map<String, Relay> byName, List<DomainRoute> routes) {
        this.byName = Collections.unmodifiableMap(new LinkedHashMap<>(byName));
        this.routes = List.copyOf(routes);
    }

    /** Only the default relay: every recipient goes there, as without a relays file. */
    public static Relays only(Relay defaultRelay) {
        return new Relays(Map.of(Relay.DEFAULT, defaultRelay), List.of());
    }

    /**
     * Reads a YAML file with a {@code relays:} map (name to settings) and an optional {@code routes:} list.
     *
     * @param defaultRelay the relay of the SMTP_* settings; its timeouts, EHLO name and pool settings are the
     *                     defaults of every relay in the file
     * @param environment  looks up the environment variable a relay's {@code passwordEnv} names
     */
    public static Relays load(Path file, Relay defaultRelay, UnaryOperator<String> environment) {
        JsonNode root;
        try {
            root = YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read the relays file " + file + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalStateException("The relays file " + file + " needs a top-level 'relays:' map");
        }
        unknownKeys(file + ": ", root, Set.of("relays", "routes"));
        JsonNode relays = root.get("relays");
        if (relays == null || !relays.isObject()) {
            throw new IllegalStateException("The relays file " + file + " needs a top-level 'relays:' map");
        }
        Map<String, Relay> byName = new LinkedHashMap<>();
        byName.put(Relay.DEFAULT, defaultRelay);
        for (Iterator<Map.Entry<String, JsonNode>> it = relays.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> entry = it.next();
            String where = file + ": relays." + entry.getKey();
            if (entry.getKey().equals(Relay.DEFAULT)) {
                throw new IllegalStateException(where + ": the name 'default' is the relay of the SMTP_* settings;"
                        + " give this relay another name");
            }
            byName.put(entry.getKey(), relay(where, entry.getKey(), entry.getValue(), defaultRelay, environment));
        }
        List<DomainRoute> routes = new ArrayList<>();
        JsonNode routeList = root.get("routes");
        if (routeList != null && !routeList.isNull()) {
            if (!routeList.isArray()) {
                throw new IllegalStateException(file + ": routes must be a list of {domains, relays}");
            }
            for (int i = 0; i < routeList.size(); i++) {
                routes.add(route(file + ": routes[" + i + "]", routeList.get(i), byName.keySet()));
            }
        }
        return new Relays(byName, routes);
    }

    private static Relay relay(String where, String name, JsonNode node, Relay defaults, UnaryOperator<String> environment) {
        if (!node.isObject()) {
            throw new IllegalStateException(where + " must be a map of host, port, security, username, passwordFile, ...");
        }
        if (node.has("password")) {
            throw new IllegalStateException(where + ".password: a password must not be written in the relays file;"
                    + " use passwordFile (a mounted secret) or passwordEnv (the name of an environment variable)");
        }
        unknownKeys(where + ".", node, RELAY_KEYS);
        String host = text(where + ".host", node.get("host"));
        if (host == null || host.isBlank()) {
            throw new IllegalStateException(where + ".host: missing");
        }
        SmtpSecurity security;
        try {
            security = SmtpSecurity.parse(text(where + ".security", node.get("security")));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(where + ".security: must be one of starttls, tls, none but was '"
                    + node.get("security").asText() + "'");
        }
        if (security == SmtpSecurity.NONE && !bool(where + ".allowPlaintext", node.get("allowPlaintext"))) {
            throw new IllegalStateException(where + ".security: none sends credentials and mail in clear text;"
                    + " set allowPlaintext: true to allow it");
        }
        int port = integer(where + ".port", node.get("port"), security.defaultPort());
        if (port < 1 || port > 65535) {
            throw new IllegalStateException(where + ".port: must be between 1 and 65535 but was " + port);
        }
        String username = text(where + ".username", node.get("username"));
        String password = password(where, node, environment);
        if (username != null && password == null) {
            throw new IllegalStateException(where + ": username needs passwordFile or passwordEnv");
        }
        if (username == null && password != null) {
            throw new IllegalStateException(where + ": passwordFile or passwordEnv needs a username");
        }
        String trust = text(where + ".trustCaFile", node.get("trustCaFile"));
        Path trustCaFile = trust == null ? null : Path.of(trust);
        if (trustCaFile != null && !Files.isReadable(trustCaFile)) {
            throw new IllegalStateException(where + ".trustCaFile: cannot read " + trustCaFile);
        }
        SmtpSettings base = defaults.settings();
        String heloName = text(where + ".heloName", node.get("heloName"));
        SmtpSettings settings;
        try {
            settings = new SmtpSettings(host, port, security, username, password, trustCaFile,
                    millis(where + ".connectTimeoutMs", node.get("connectTimeoutMs"), base.connectTimeout()),
                    millis(where + ".readTimeoutMs", node.get("readTimeoutMs"), base.readTimeout()),
                    millis(where + ".writeTimeoutMs", node.get("writeTimeoutMs"), base.writeTimeout()),
                    heloName != null ? heloName : base.heloName());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(where + ": " + e.getMessage());
        }
        return new Relay(name, settings, pool(where + ".pool", node.get("pool"), defaults.pool()));
    }

    private static SmtpPoolSettings pool(String where, JsonNode node, SmtpPoolSettings defaults) {
        if (node == null || node.isNull()) {
            return defaults;
        }
        if (!node.isObject()) {
            throw new IllegalStateException(where + " must be a map of size, maxMessagesPerConnection, maxIdleMs");
        }
        unknownKeys(where + ".", node, POOL_KEYS);
        int size = integer(where + ".size", node.get("size"), defaults.size());
        if (size < 1) {
            throw new IllegalStateException(where + ".size: must be at least 1 but was " + size);
        }
        int maxMessages = integer(where + ".maxMessagesPerConnection", node.get("maxMessagesPerConnection"),
                defaults.maxMessagesPerConnection());
        if (maxMessages < 1) {
            throw new IllegalStateException(where + ".maxMessagesPerConnection: must be at least 1 but was " + maxMessages);
        }
        return new SmtpPoolSettings(size, maxMessages, millis(where + ".maxIdleMs", node.get("maxIdleMs"), defaults.maxIdle()));
    }

    private static String password(String where, JsonNode node, UnaryOperator<String> environment) {
        String file = text(where + ".passwordFile", node.get("passwordFile"));
        String variable = text(where + ".passwordEnv", node.get("passwordEnv"));
        if (file != null && variable != null) {
            throw new IllegalStateException(where + ": give passwordFile or passwordEnv, not both");
        }
        if (file != null) {
            try {
                return Files.readString(Path.of(file)).strip();
            } catch (IOException e) {
                // The path is safe to name, the content is not.
                throw new IllegalStateException(where + ".passwordFile: cannot read " + file);
            }
        }
        if (variable != null) {
            String value = environment.apply(variable);
            if (value == null || value.isBlank()) {
                throw new IllegalStateException(where + ".passwordEnv: the environment variable " + variable
                        + " is not set");
            }
            return value.strip();
        }
        return null;
    }

    private static DomainRoute route(String where, JsonNode node, Collection<String> relayNames) {
        if (node == null || !node.isObject()) {
            throw new IllegalStateException(where + " must be a map of domains and relays");
        }
        unknownKeys(where + ".", node, Set.of("domains", "relays"));
        List<String> domains = names(where + ".domains", node.get("domains"));
        for (String domain : domains) {
            String plain = domain.startsWith("*.") ? domain.substring(2) : domain;
            if (plain.isBlank() || plain.contains("*") || plain.contains("@") || plain.contains(" ")) {
                throw new IllegalStateException(where + ".domains: '" + domain
                        + "' is not a domain (example.org) or a wildcard (*.example.org)");
            }
        }
        List<String> relays = names(where + ".relays", node.get("relays"));
        requireKnown(where + ".relays", relays, relayNames);
        return new DomainRoute(domains, relays);
    }

    /** Fails with a message naming the key when a relay name is not configured. */
    static void requireKnown(String where, List<String> relays, Collection<String> relayNames) {
        for (String relay : relays) {
            if (!relayNames.contains(relay)) {
                throw new IllegalStateException(where + ": unknown relay '" + relay + "'; configured relays: "
                        + String.join(", ", relayNames));
            }
        }
        if (relays.stream().distinct().count() != relays.size()) {
            throw new IllegalStateException(where + ": names a relay twice");
        }
    }

    static List<String> names(String where, JsonNode node) {
        if (node == null || !node.isArray() || node.isEmpty()) {
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

    private static void unknownKeys(String where, JsonNode node, Set<String> known) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
            String key = it.next();
            if (!known.contains(key)) {
                throw new IllegalStateException(where + key + ": unknown key; known keys: "
                        + String.join(", ", known.stream().sorted().toList()));
            }
        }
    }

    private static String text(String where, JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isValueNode()) {
            throw new IllegalStateException(where + ": must be a single value");
        }
        String value = node.asText().trim();
        return value.isEmpty() ? null : value;
    }

    private static boolean bool(String where, JsonNode node) {
        if (node == null || node.isNull()) {
            return false;
        }
        if (!node.isBoolean()) {
            throw new IllegalStateException(where + ": must be true or false");
        }
        return node.asBoolean();
    }

    private static int integer(String where, JsonNode node, int otherwise) {
        if (node == null || node.isNull()) {
            return otherwise;
        }
        if (!node.canConvertToInt() || !node.isIntegralNumber()) {
            throw new IllegalStateException(where + ": must be a whole number");
        }
        return node.asInt();
    }

    private static Duration millis(String where, JsonNode node, Duration otherwise) {
        if (node == null || node.isNull()) {
            return otherwise;
        }
        if (!node.isIntegralNumber() || node.asLong() <= 0) {
            throw new IllegalStateException(where + ": must be a positive number of milliseconds");
        }
        return Duration.ofMillis(node.asLong());
    }

    public Relay relay(String name) {
        return byName.get(name);
    }

    /** Every relay, the default one first. */
    public Collection<Relay> all() {
        return byName.values();
    }

    public Set<String> names() {
        return byName.keySet();
    }

    public List<DomainRoute> routes() {
        return routes;
    }
}
