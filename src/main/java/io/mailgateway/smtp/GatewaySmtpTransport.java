package io.mailgateway.smtp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.URLName;
import jakarta.mail.internet.InternetAddress;

import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/**
 * Angus's SMTP transport, telling apart the one failure whose outcome nobody knows (the whole message was written
 * but the relay's reply to the final "." never came: the relay may have queued the mail), and sending one
 * recipient's copy with its own envelope sender and DSN parameters.
 */
public class GatewaySmtpTransport extends SMTPTransport {

    private static final String MAIL_FROM = "MAIL FROM:";
    private static final String RCPT_TO = "RCPT TO:";
    private static final String SMTPUTF8 = " SMTPUTF8";
    // RFC 3461 section 4: the longest ENVID and ORCPT values a relay must accept.
    private static final int MAX_ENVID = 100;
    private static final int MAX_ORCPT = 500;

    // Set only for the duration of one sendMessage call; a pooled transport serves one thread at a time.
    private ReturnPathSend current;

    public GatewaySmtpTransport(Session session, URLName urlname) {
        super(session, urlname);
    }

    protected GatewaySmtpTransport(Session session, URLName urlname, String name, boolean isSSL) {
        super(session, urlname, name, isSSL);
    }

    /**
     * Sends the message to one recipient with {@code returnPath} as MAIL FROM; the message's bytes and headers are
     * left as they are. When the relay offers DSN, asks for failure and delay reports with headers only, naming
     * {@code envelopeId} and the recipient, so a report says whom it is about even when the relay rewrites addresses.
     */
    public synchronized void sendMessage(Message message, InternetAddress recipient, String returnPath,
            String envelopeId) throws MessagingException {
        current = new ReturnPathSend(returnPath, envelopeId, recipient.getAddress());
        try {
            sendMessage(message, new Address[] {recipient});
        } finally {
            current = null;
        }
    }

    // Angus takes the envelope sender only from an SMTPMessage or a session-wide property, and has no ORCPT: both
    // would mean copying the signed message or a session per recipient. Its MAIL and RCPT commands all pass here.
    @Override
    protected void sendCommand(String command) throws MessagingException {
        ReturnPathSend send = current;
        if (send != null && send.returnPath() != null && command.startsWith(MAIL_FROM)) {
            // The rest of Angus's MAIL command is the old sender, then SMTPUTF8 when the session asks for it.
            String rewritten = MAIL_FROM + "<" + send.returnPath() + ">"
                    + (command.endsWith(SMTPUTF8) ? SMTPUTF8 : "");
            if (supportsExtension("DSN")) {
                rewritten += " RET=HDRS";
                String envelopeId = send.envelopeId() == null ? null : encodedAsXtext(send.envelopeId());
                if (envelopeId != null && envelopeId.length() <= MAX_ENVID) {
                    rewritten += " ENVID=" + envelopeId;
                }
            }
            super.sendCommand(rewritten);
        } else if (send != null && command.startsWith(RCPT_TO) && supportsExtension("DSN")) {
            String withDsn = command + " NOTIFY=FAILURE,DELAY";
            String original = "rfc822;" + encodedAsXtext(send.recipient());
            // An internationalized address would need the utf-8 address type (RFC 6533), which not every relay knows.
            if (send.recipient().chars().allMatch(c -> c < 0x80) && original.length() <= MAX_ORCPT) {
                withDsn += " ORCPT=" + original;
            }
            super.sendCommand(withDsn);
        } else {
            super.sendCommand(command);
        }
    }

    /** RFC 3461 xtext: printable US-ASCII as is, except "+" and "="; everything else as "+" and two hex digits. */
    static String encodedAsXtext(String text) {
        StringBuilder encoded = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c < '!' || c > '~' || c == '+' || c == '=') {
                encoded.append('+').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            } else {
                encoded.append((char) c);
            }
        }
        return encoded.toString();
    }

    private record ReturnPathSend(String returnPath, String envelopeId, String recipient) {
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
