package io.mailgateway.relay;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

import io.mailgateway.tenant.Tenant;
import io.mailgateway.tenant.Tenants;

/**
 * Holds each tenant to its send-rate limit across all gateway instances: a message waits for a permit at most a
 * bounded time and is deferred when none comes. Each instance grants its share (see {@link SharedRateLimit}).
 */
public final class TenantRateLimits {

    private final Map<String, SharedRateLimit> byTenant = new HashMap<>();

    /** @param longestWait how long a message may wait for a permit before it is deferred */
    public TenantRateLimits(Tenants tenants, Duration longestWait) {
        for (Tenant tenant : tenants.all()) {
            if (tenant.rateLimit() != null) {
                byTenant.put(tenant.id(), new SharedRateLimit(tenant.rateLimit(), longestWait));
            }
        }
    }

    /** Returns once the submission's tenant may send one more message; throws when no permit came in time. */
    public void acquire(Submission submission) throws TenantRateLimitedException {
        String tenant = submission.tenant();
        SharedRateLimit limit = tenant == null ? null : byTenant.get(tenant);
        if (limit != null && !limit.acquire()) {
            throw new TenantRateLimitedException(tenant, limit.limit(), limit.instances());
        }
    }

    /** The tenants' limits, to be told how many instances share them. */
    public Collection<SharedRateLimit> limits() {
        return byTenant.values();
    }
}
