package io.mailgateway.smtp;

import java.util.List;

/**
 * The message was sent but the relay never confirmed it: it may have been delivered. Sending it again (with the
 * same Message-ID) risks one duplicate; not sending it risks a loss.
 */
public class SmtpUnknownOutcomeException extends SmtpTransientException {

    public SmtpUnknownOutcomeException(String detail, List<RecipientOutcome> recipients, Exception cause) {
        super("unknown-outcome", detail, null, recipients, cause);
    }
}
