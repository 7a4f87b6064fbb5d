package io.mailgateway.relay;

import io.mailgateway.tenant.Tenant.RateLimit;

/** The relay reached its send-rate limit and no permit came in time: its recipients are deferred, not dropped. */
public class RelayRateLimitedException extends RateLimitedException {

    public RelayRateLimitedException(String relay, RateLimit limit, int instances) {
        super("relay '" + relay + "'", limit, instances);
    }
}
