package io.mailgateway.smtp;

import java.util.List;

/** The connection failed before the relay answered the message: nothing was delivered. */
final class ConnectionLostException extends SmtpTransientException {

    ConnectionLostException(String detail, List<RecipientOutcome> recipients) {
        super(detail, null, recipients, null);
    }
}
