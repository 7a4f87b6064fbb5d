package io.mailgateway.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * How the gateway checks its sending domains' SPF, DKIM and DMARC records: which DNS servers it asks, how long it
 * waits, and whether it checks the domains of its DKIM keys at start-up.
 *
 * <p>Owns {@code gateway.dns.*} and {@code gateway.check-domains-at-start}; reads {@code gateway.dkim.keys-dir} and
 * {@code gateway.bounce.domain}, which say what the checks compare DNS with.
 *
 * @param dnsServers host or host:port of each server to ask, empty for the system's resolvers
 * @param dnsTimeout for one DNS question; a whole check takes at most {@link #checkBudget()}
 */
public record SenderCheckSettings(List<String> dnsServers, Duration dnsTimeout, boolean checkAtStart,
        Optional<Path> dkimKeysDir, Optional<String> bounceDomain) {

    /** DNS questions a check may ask, at the most, times the timeout of one: the bound of a whole check. */
    private static final int QUESTIONS_PER_CHECK = 20;

    public SenderCheckSettings {
        dnsServers = List.copyOf(dnsServers);
        for (String server : dnsServers) {
            requireServer(server);
        }
        if (dnsTimeout.isNegative() || dnsTimeout.isZero()) {
            throw new IllegalArgumentException("GATEWAY_DNS_TIMEOUT_MS must be positive but was "
                    + dnsTimeout.toMillis());
        }
    }

    public static SenderCheckSettings from(Settings source) {
        List<String> servers = source.optional("gateway.dns.servers")
                .map(list -> Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList())
                .orElse(List.of());
        return new SenderCheckSettings(servers, source.millis("gateway.dns.timeout-ms", 5000),
                Boolean.parseBoolean(flagText(source)), source.optionalPath("gateway.dkim.keys-dir"),
                source.optional("gateway.bounce.domain"));
    }

    public Duration checkBudget() {
        return dnsTimeout.multipliedBy(QUESTIONS_PER_CHECK);
    }

    private static String flagText(Settings source) {
        String value = source.text("gateway.check-domains-at-start", "true").trim();
        if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException("GATEWAY_CHECK_DOMAINS_AT_START must be true or false but was " + value);
        }
        return value;
    }

    private static void requireServer(String server) {
        String problem = "GATEWAY_DNS_SERVERS must list host or host:port (IPv6 as [address]:port) but has " + server;
        int colon = server.lastIndexOf(':');
        boolean hasPort = colon > 0 && (server.indexOf(':') == colon || server.startsWith("["));
        if (!hasPort) {
            return;
        }
        try {
            int port = Integer.parseInt(server.substring(colon + 1));
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException(problem);
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(problem);
        }
    }
}
