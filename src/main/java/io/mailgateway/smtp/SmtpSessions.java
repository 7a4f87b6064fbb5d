package io.mailgateway.smtp;

import java.util.List;
import java.util.Properties;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.NoSuchProviderException;
import jakarta.mail.Provider;
import jakarta.mail.Session;

import org.eclipse.angus.mail.smtp.SMTPTransport;

import io.mailgateway.tls.RelayTrust;

/**
 * Opens sessions with one relay the way the gateway insists on: TLS that fails closed, bounded network waits,
 * per-recipient replies, and no unauthenticated sending when credentials are configured.
 */
final class SmtpSessions {

    private final SmtpSettings settings;
    private final String protocol;
    private final Session session;
    // Only for mails to internationalized addresses (RFC 6531): commands go out as UTF-8 instead of one byte per
    // character, with SMTPUTF8 on MAIL FROM; used only with a relay that offers SMTPUTF8.
    private final Session utf8Session;

    SmtpSessions(SmtpSettings settings) {
        this.settings = settings;
        this.protocol = settings.security() == SmtpSecurity.TLS ? "smtps" : "smtp";
        Properties properties = properties(settings, protocol);
        this.session = newSession(properties);
        Properties utf8 = new Properties();
        utf8.putAll(properties);
        utf8.put("mail.mime.allowutf8", "true");
        this.utf8Session = newSession(utf8);
    }

    private Session newSession(Properties properties) {
        Session created = Session.getInstance(properties);
        String transport = settings.security() == SmtpSecurity.TLS
                ? GatewaySmtpTransport.Tls.class.getName() : GatewaySmtpTransport.class.getName();
        try {
            created.setProvider(new Provider(Provider.Type.TRANSPORT, protocol, transport, "Mail Gateway", null));
        } catch (NoSuchProviderException e) {
            throw new IllegalStateException("cannot register the gateway's SMTP transport", e);
        }
        return created;
    }

    private static Properties properties(SmtpSettings settings, String protocol) {
        String prefix = "mail." + protocol + ".";
        Properties props = new Properties();
        props.put(prefix + "host", settings.host());
        props.put(prefix + "port", String.valueOf(settings.port()));
        props.put(prefix + "connectiontimeout", String.valueOf(settings.connectTimeout().toMillis()));
        props.put(prefix + "timeout", String.valueOf(settings.readTimeout().toMillis()));
        props.put(prefix + "writetimeout", String.valueOf(settings.writeTimeout().toMillis()));
        props.put(prefix + "socketFactory", NoDelaySocketFactories.plain());
        // Without this a TLS error is retried over a plain socket and hidden behind a second, misleading one.
        props.put(prefix + "socketFactory.fallback", "false");
        if (settings.security() != SmtpSecurity.NONE) {
            props.put(prefix + "ssl.socketFactory", NoDelaySocketFactories.tls(RelayTrust.socketFactory(settings.trustCaFile())));
            props.put(prefix + "ssl.checkserveridentity", "true");
            props.put(prefix + "ssl.protocols", "TLSv1.3 TLSv1.2");
        }
        if (settings.security() == SmtpSecurity.STARTTLS) {
            props.put(prefix + "starttls.enable", "true");
            // starttls.enable alone silently falls back to plaintext when the relay does not offer STARTTLS.
            props.put(prefix + "starttls.required", "true");
        }
        props.put(prefix + "auth", String.valueOf(settings.authenticates()));
        // Per-recipient replies: deliver to the accepted recipients and report every RCPT answer.
        props.put(prefix + "sendpartial", "true");
        props.put(prefix + "reportsuccess", "true");
        if (settings.heloName() != null) {
            props.put(prefix + "localhost", settings.heloName());
        }
        return props;
    }

    /** The Jakarta Mail properties every session with this relay is opened with. */
    Properties properties() {
        Properties copy = new Properties();
        copy.putAll(session.getProperties());
        return copy;
    }

    /** A connected, authenticated session for ordinary mail. */
    SMTPTransport open() throws SmtpSubmissionException {
        return open(session);
    }

    /** A connected, authenticated session that sends commands in UTF-8 (RFC 6531). */
    SMTPTransport openUtf8() throws SmtpSubmissionException {
        return open(utf8Session);
    }

    private SMTPTransport open(Session from) throws SmtpSubmissionException {
        SMTPTransport transport;
        try {
            transport = (SMTPTransport) from.getTransport(protocol);
        } catch (MessagingException e) {
            throw new IllegalStateException("no SMTP transport available", e);
        }
        try {
            connect(transport);
            return transport;
        } catch (SmtpSubmissionException | RuntimeException e) {
            closeQuietly(transport);
            throw e;
        }
    }

    private void connect(SMTPTransport transport) throws SmtpSubmissionException {
        try {
            transport.connect(settings.host(), settings.port(), settings.username(), settings.password());
        } catch (AuthenticationFailedException e) {
            SmtpReply reply = SmtpReplies.lastReply(transport);
            // A 454 (RFC 4954) or a connection lost during AUTH says nothing about the credentials.
            if (reply == null || reply.transientFailure()) {
                throw new SmtpTransientException("the relay could not authenticate now", reply, List.of(), null);
            }
            throw new SmtpPermanentException("auth-failed", "the relay refused the credentials", reply, List.of(), null);
        } catch (MessagingException e) {
            throw SmtpReplies.connectFailure(transport, e);
        }
        // Angus skips AUTH silently when the relay does not advertise it; sending unauthenticated is not what
        // the operator configured.
        if (settings.authenticates() && !transport.supportsExtension("AUTH") && !transport.supportsExtension("AUTH=LOGIN")) {
            throw new SmtpPermanentException("auth-failed",
                    "the relay does not offer AUTH although credentials are configured; nothing was sent",
                    null, List.of(), null);
        }
    }

    static void closeQuietly(SMTPTransport transport) {
        try {
            transport.close();
        } catch (MessagingException | RuntimeException ignored) {
            // the message's fate is already decided; a failing QUIT changes nothing
        }
    }
}
