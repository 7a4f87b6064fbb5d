package io.mailgateway.smtp;

import java.util.List;

/** The relay could not take the message now (4xx, unreachable, timed out): worth trying again later. */
public class SmtpTransientException extends SmtpSubmissionException {

    public SmtpTransientException(String detail, SmtpReply reply, List<RecipientOutcome> recipients, Exception cause) {
        this("relay-unavailable", detail, reply, recipients, cause);
    }

    protected SmtpTransientException(String category, String detail, SmtpReply reply, List<RecipientOutcome> recipients,
            Exception cause) {
        super(category, detail, reply, recipients, cause);
    }
}
