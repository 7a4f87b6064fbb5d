package io.mailgateway.relay;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;

import io.mailgateway.tenant.Tenant;
import io.mailgateway.tenant.Tenant.RateLimit;
import io.mailgateway.tenant.Tenants;
import io.mailgateway.request.MailRequest;

/**
 * Holds each tenant to its send-rate limit, per gateway instance: a message waits for a permit at most a bounded
 * time and is deferred when none comes. Permits are spread evenly over the period (10 per 1s is one per 100 ms slot),
 * so no window of the period's length starts more than the limit plus one submissions.
 */
public final class TenantRateLimits {

    private record Limited(RateLimit limit, RateLimiter limiter) {
    }

    private final Map<String, Limited> byTenant = new HashMap<>();

    /** @param longestWait how long a message may wait for a permit before it is deferred */
    public TenantRateLimits(Tenants tenants, Duration longestWait) {
        for (Tenant tenant : tenants.all()) {
            if (tenant.rateLimit() != null) {
                RateLimiter limiter = RateLimiter.of("tenant-" + tenant.id(), RateLimiterConfig.custom()
                        .limitForPeriod(1)
                        .limitRefreshPeriod(tenant.rateLimit().interval())
                        .timeoutDuration(longestWait)
                        .build());
                byTenant.put(tenant.id(), new Limited(tenant.rateLimit(), limiter));
            }
        }
    }

    /** Returns once the request's tenant may send one more message; throws when no permit came in time. */
    public void acquire(MailRequest request) throws TenantRateLimitedException {
        String tenant = request.tags().get("tenant");
        Limited limited = tenant == null ? null : byTenant.get(tenant);
        if (limited != null && !limited.limiter().acquirePermission()) {
            throw new TenantRateLimitedException(tenant, limited.limit());
        }
    }
}
