package io.mailgateway.relay;

import io.mailgateway.smtp.SmtpPoolSettings;
import io.mailgateway.smtp.SmtpSettings;

/** One SMTP relay the gateway may submit to, by the name routes and tenants use for it. */
public record Relay(String name, SmtpSettings settings, SmtpPoolSettings pool) {

    /** The relay configured with the SMTP_* settings: the fallback for every recipient nothing else routes. */
    public static final String DEFAULT = "default";
}
