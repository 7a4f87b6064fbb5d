package io.mailgateway.relay;

import java.util.List;

/**
 * How one tenant's mail is submitted.
 *
 * @param relays    the relays for every recipient of the tenant, in failover order; empty to route by recipient domain
 * @param rateLimit the tenant's send-rate limit, or null for none
 */
public record TenantPolicy(String tenant, List<String> relays, RateLimit rateLimit) {

    public TenantPolicy {
        relays = relays == null ? List.of() : List.copyOf(relays);
    }
}
