package io.mailgateway.relay;

import io.mailgateway.tenant.Tenant.RateLimit;

/** The tenant reached its send-rate limit and no permit came in time: the request is deferred, not dropped. */
public class TenantRateLimitedException extends RateLimitedException {

    public TenantRateLimitedException(String tenant, RateLimit limit, int instances) {
        super("tenant '" + tenant + "'", limit, instances);
    }
}
