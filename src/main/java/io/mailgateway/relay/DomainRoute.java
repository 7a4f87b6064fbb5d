package io.mailgateway.relay;

import java.net.IDN;
import java.util.List;
import java.util.Locale;

/**
 * Recipients whose domain matches one of {@code domains} go to {@code relays}, the first one that is reachable.
 * A domain is matched exactly; {@code *.example.net} matches every subdomain of example.net (not example.net itself).
 */
public record DomainRoute(List<String> domains, List<String> relays) {

    public DomainRoute {
        domains = domains.stream().map(DomainRoute::normalize).toList();
        relays = List.copyOf(relays);
    }

    public boolean matches(String domain) {
        String normalized = normalize(domain);
        for (String pattern : domains) {
            if (pattern.startsWith("*.") ? normalized.endsWith(pattern.substring(1)) : normalized.equals(pattern)) {
                return true;
            }
        }
        return false;
    }

    /** Lower-case A-labels, so a Unicode domain and its A-label form match the same route. */
    static String normalize(String domain) {
        String trimmed = domain.trim();
        try {
            return IDN.toASCII(trimmed, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return trimmed.toLowerCase(Locale.ROOT);
        }
    }
}
