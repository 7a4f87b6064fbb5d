package io.mailgateway.relay;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.mail.internet.InternetAddress;

import io.mailgateway.tenant.Tenant;
import io.mailgateway.tenant.Tenants;

/**
 * Picks the relays for each recipient of a message: the tenant's relays when it names any, else those of the first
 * domain route matching the recipient's domain, else the default relay.
 */
public final class RelaySelection {

    private static final List<String> DEFAULT = List.of(Relay.DEFAULT);

    private final Relays relays;
    private final Tenants tenants;

    /** A tenant naming a relay that is not configured stops start-up. */
    public RelaySelection(Relays relays, Tenants tenants) {
        for (Tenant tenant : tenants.all()) {
            if (!tenant.relays().isEmpty()) {
                Relays.requireKnown(tenants.where(tenant, "relays"), tenant.relays(), relays.names());
            }
        }
        this.relays = relays;
        this.tenants = tenants;
    }

    /** The recipients grouped by their relay list, in the order the envelope names them. */
    public List<RelayGroup> groups(String tenant, List<InternetAddress> envelope) {
        List<String> tenantRelays = tenants.find(tenant).map(Tenant::relays).orElse(List.of());
        if (!tenantRelays.isEmpty()) {
            return List.of(new RelayGroup(tenantRelays, envelope));
        }
        Map<List<String>, List<InternetAddress>> byRelays = new LinkedHashMap<>();
        for (InternetAddress recipient : envelope) {
            byRelays.computeIfAbsent(relaysFor(recipient.getAddress()), k -> new ArrayList<>()).add(recipient);
        }
        List<RelayGroup> groups = new ArrayList<>();
        byRelays.forEach((names, recipients) -> groups.add(new RelayGroup(names, recipients)));
        return groups;
    }

    /** The relays of the first route matching the address's domain, else the default relay. */
    public List<String> relaysFor(String address) {
        String domain = address.substring(address.lastIndexOf('@') + 1);
        for (DomainRoute route : relays.routes()) {
            if (route.matches(domain)) {
                return route.relays();
            }
        }
        return DEFAULT;
    }
}
