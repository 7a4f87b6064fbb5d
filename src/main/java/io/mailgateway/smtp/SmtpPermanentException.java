package io.mailgateway.smtp;

import java.util.List;

/** The relay refused the message for good (5xx), or the gateway may not talk to it (TLS, AUTH). */
public class SmtpPermanentException extends SmtpSubmissionException {

    public SmtpPermanentException(String category, String detail, SmtpReply reply,
            List<RecipientOutcome> recipients, Exception cause) {
        super(category, detail, reply, recipients, cause);
    }
}
