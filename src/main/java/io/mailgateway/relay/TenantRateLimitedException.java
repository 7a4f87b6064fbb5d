package io.mailgateway.relay;

import java.util.List;

import io.mailgateway.tenant.Tenant.RateLimit;
import io.mailgateway.smtp.SmtpTransientException;

/** The tenant reached its send-rate limit and no permit came in time: the request is deferred, not dropped. */
public class TenantRateLimitedException extends SmtpTransientException {

    public TenantRateLimitedException(String tenant, RateLimit limit) {
        super("tenant '" + tenant + "' reached its send-rate limit (" + limit + "); the request is retried later",
                null, List.of(), null);
    }
}
