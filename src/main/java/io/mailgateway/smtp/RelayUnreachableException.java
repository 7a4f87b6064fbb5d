package io.mailgateway.smtp;

import java.util.List;

/**
 * The relay could not be reached before anything of the message was sent: the connection was refused or timed out,
 * it ended before or during the greeting, or the relay greeted with a 4xx (e.g. 421). Trying another relay cannot
 * duplicate the mail.
 */
public class RelayUnreachableException extends SmtpTransientException {

    public RelayUnreachableException(String detail, SmtpReply reply, Exception cause) {
        super(detail, reply, List.of(), cause);
    }
}
