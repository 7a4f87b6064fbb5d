package io.mailgateway.smtp;

import java.io.IOException;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.URLName;

import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/**
 * Angus's SMTP transport, telling apart the one failure whose outcome nobody knows: the whole message was
 * written but the relay's reply to the final "." never came. The relay may have queued the mail.
 */
public class GatewaySmtpTransport extends SMTPTransport {

    public GatewaySmtpTransport(Session session, URLName urlname) {
        super(session, urlname);
    }

    protected GatewaySmtpTransport(Session session, URLName urlname, String name, boolean isSSL) {
        super(session, urlname, name, isSSL);
    }

    @Override
    protected void finishData() throws IOException, MessagingException {
        try {
            super.finishData();
        } catch (SMTPSendFailedException refused) {
            // A reply decides the outcome; end of stream (reported as code -1) does not.
            if (refused.getReturnCode() >= 200 && refused.getReturnCode() <= 599) {
                throw refused;
            }
            throw new OutcomeUnknownException(refused);
        } catch (IOException | MessagingException silence) {
            // Chained as the next exception so Angus closes the connection instead of reusing it.
            throw new OutcomeUnknownException(silence);
        }
    }

    /** The same for implicit TLS (SMTPS). */
    public static class Tls extends GatewaySmtpTransport {
        public Tls(Session session, URLName urlname) {
            super(session, urlname, "smtps", true);
        }
    }

    /** No reply after the final "."; the message may or may not have been accepted. */
    static final class OutcomeUnknownException extends MessagingException {
        OutcomeUnknownException(Exception cause) {
            super("no reply from the relay after the message was sent", cause instanceof IOException
                    ? cause : new IOException(cause.getMessage(), cause));
        }
    }
}
