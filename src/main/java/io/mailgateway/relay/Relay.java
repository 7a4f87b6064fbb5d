package io.mailgateway.relay;

import io.mailgateway.smtp.SmtpPoolSettings;
import io.mailgateway.smtp.SmtpSettings;
import io.mailgateway.tenant.Tenant.RateLimit;

/**
 * One SMTP relay the gateway may submit to, by the name routes and tenants use for it.
 *
 * @param rateLimit how many submissions the relay takes from all gateway instances together, or null for no limit
 */
public record Relay(String name, SmtpSettings settings, SmtpPoolSettings pool, RateLimit rateLimit) {

    /** The relay configured with the SMTP_* settings: the fallback for every recipient nothing else routes. */
    public static final String DEFAULT = "default";

    public Relay(String name, SmtpSettings settings, SmtpPoolSettings pool) {
        this(name, settings, pool, null);
    }
}
