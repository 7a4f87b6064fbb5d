package io.mailgateway.relay;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;


import io.mailgateway.smtp.SmtpPoolSettings;
import io.mailgateway.smtp.SmtpSecurity;
import io.mailgateway.smtp.SmtpSettings;
import io.mailgateway.tenant.Tenant.RateLimit;
import io.mailgateway.yaml.SettingsFile;

/**
 * The relays the gateway may submit to and the routes that pick them by recipient domain: the relay of the SMTP_*
 * settings (named {@value Relay#DEFAULT}) and those of the relays file, read once at start-up. A mistake in the
 * file stops start-up with a message naming the file and the key.
 */
public final class Relays {

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
        RelaysFile settings = SettingsFile.read(file, "relays", RelaysFile.class);
        Map<String, Relay> byName = new LinkedHashMap<>();
        byName.put(Relay.DEFAULT, defaultRelay);
        settings.relays().forEach((name, relay) -> {
            String where = SettingsFile.where(file, "relays." + name);
            if (name.equals(Relay.DEFAULT)) {
                throw new IllegalStateException(where + ": the name 'default' is the relay of the SMTP_* settings;"
                        + " give this relay another name");
            }
            byName.put(name, relay(where, name, relay, defaultRelay, environment));
        });
        List<DomainRoute> routes = new ArrayList<>();
        List<RouteSetting> routeSettings = settings.routes() == null ? List.of() : settings.routes();
        for (int i = 0; i < routeSettings.size(); i++) {
            routes.add(route(SettingsFile.where(file, "routes[" + i + "]"), routeSettings.get(i), byName.keySet()));
        }
        return new Relays(byName, routes);
    }

    private static Relay relay(String where, String name, RelaySetting relay, Relay defaults,
            UnaryOperator<String> environment) {
        String host = text(relay.host());
        if (host == null) {
            throw new IllegalStateException(where + ".host: missing");
        }
        SmtpSecurity security;
        try {
            security = SmtpSecurity.parse(text(relay.security()));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(where + ".security: must be one of starttls, tls, none but was '"
                    + relay.security() + "'");
        }
        security.requirePlaintextAllowed(Boolean.TRUE.equals(relay.allowPlaintext()), where + ".security: ",
                "allowPlaintext: true");
        int port = relay.port() == null ? security.defaultPort() : relay.port();
        String username = text(relay.username());
        String password = password(where, relay, environment);
        if (username != null && password == null) {
            throw new IllegalStateException(where + ": username needs passwordFile or passwordEnv");
        }
        if (username == null && password != null) {
            throw new IllegalStateException(where + ": passwordFile or passwordEnv needs a username");
        }
        String trust = text(relay.trustCaFile());
        Path trustCaFile = trust == null ? null : Path.of(trust);
        if (trustCaFile != null && !Files.isReadable(trustCaFile)) {
            throw new IllegalStateException(where + ".trustCaFile: cannot read " + trustCaFile);
        }
        SmtpSettings base = defaults.settings();
        String heloName = text(relay.heloName());
        SmtpSettings settings;
        try {
            settings = new SmtpSettings(host, port, security, username, password, trustCaFile,
                    millis(relay.connectTimeoutMs(), base.connectTimeout()),
                    millis(relay.readTimeoutMs(), base.readTimeout()),
                    millis(relay.writeTimeoutMs(), base.writeTimeout()),
                    heloName != null ? heloName : base.heloName());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(where + ": " + e.getMessage());
        }
        return new Relay(name, settings, pool(relay.pool(), defaults.pool()),
                relay.rateLimit() == null ? null : rateLimit(where + ".rateLimit", relay.rateLimit()));
    }

    private static RateLimit rateLimit(String where, RateLimitSetting setting) {
        return RateLimit.fromSettings(where, setting.messages(), setting.per());
    }

    private static SmtpPoolSettings pool(PoolSetting pool, SmtpPoolSettings defaults) {
        if (pool == null) {
            return defaults;
        }
        return new SmtpPoolSettings(pool.size() == null ? defaults.size() : pool.size(),
                pool.maxMessagesPerConnection() == null ? defaults.maxMessagesPerConnection()
                        : pool.maxMessagesPerConnection(),
                millis(pool.maxIdleMs(), defaults.maxIdle()));
    }

    private static String password(String where, RelaySetting relay, UnaryOperator<String> environment) {
        String file = text(relay.passwordFile());
        String variable = text(relay.passwordEnv());
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

    private static DomainRoute route(String where, RouteSetting route, Collection<String> relayNames) {
        List<String> domains = names(where + ".domains", route.domains());
        for (String domain : domains) {
            String plain = domain.startsWith("*.") ? domain.substring(2) : domain;
            if (plain.isBlank() || plain.contains("*") || plain.contains("@") || plain.contains(" ")) {
                throw new IllegalStateException(where + ".domains: '" + domain
                        + "' is not a domain (example.org) or a wildcard (*.example.org)");
            }
        }
        List<String> relays = names(where + ".relays", route.relays());
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

    private static List<String> names(String where, List<String> names) {
        List<String> trimmed = new ArrayList<>();
        for (String name : names) {
            if (name == null || name.isBlank()) {
                throw new IllegalStateException(where + ": every entry must be a name");
            }
            trimmed.add(name.trim());
        }
        return trimmed;
    }

    /** A value left blank counts as not given, as an empty environment variable does in the SMTP_* settings. */
    private static String text(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    private static Duration millis(Long millis, Duration otherwise) {
        return millis == null ? otherwise : Duration.ofMillis(millis);
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

    /** The relays file as written, in the shape schemas/relays.schema.json publishes. */
    private record RelaysFile(Map<String, RelaySetting> relays, List<RouteSetting> routes) {
    }

    private record RelaySetting(String host, Integer port, String security, Boolean allowPlaintext, String username,
            String passwordFile, String passwordEnv, String trustCaFile, String heloName, Long connectTimeoutMs,
            Long readTimeoutMs, Long writeTimeoutMs, PoolSetting pool, RateLimitSetting rateLimit) {
    }

    private record RateLimitSetting(int messages, String per) {
    }

    private record PoolSetting(Integer size, Integer maxMessagesPerConnection, Long maxIdleMs) {
    }

    private record RouteSetting(List<String> domains, List<String> relays) {
    }
}
