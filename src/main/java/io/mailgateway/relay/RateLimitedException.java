package io.mailgateway.relay;

import java.util.List;

import io.mailgateway.smtp.SmtpTransientException;
import io.mailgateway.tenant.Tenant.RateLimit;

/**
 * A send-rate limit gave no permit in time: the message was not handed to a relay and is deferred, not dropped, and
 * the deferral counts as no delivery attempt.
 */
public class RateLimitedException extends SmtpTransientException {

    protected RateLimitedException(String whose, RateLimit limit, int instances) {
        super(whose + " reached its send-rate limit (" + limit + ", "
                + (instances == 0 ? "no share yet: the number of gateway instances is not known"
                        : "shared by " + instances + " gateway instance" + (instances == 1 ? "" : "s"))
                + "); the request is retried later", null, List.of(), null);
    }
}
