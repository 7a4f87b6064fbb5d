package io.mailgateway.smtp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.BiConsumer;

import javax.net.ssl.SSLException;

import jakarta.mail.Address;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.NoSuchProviderException;
import jakarta.mail.Provider;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

import org.apache.camel.component.mail.JavaMailSender;
import org.apache.camel.component.mail.MailAuthenticator;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPAddressSucceededException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPTransport;
import io.mailgateway.tls.RelayTrust;

/**
 * The gateway's own SMTP client behind camel-mail: fails closed on TLS, refuses to send unauthenticated when
 * credentials are configured, bounds every network wait, and reports the relay's replies per recipient.
 */
public class GatewayMailSender implements JavaMailSender, RelayProbe, AutoCloseable, org.apache.camel.Service {

    private final SmtpSettings settings;
    private final String protocol;
    private final Session session;
    private final BiConsumer<String, Duration> attemptListener;
    // Only for mails to internationalized addresses (RFC 6531): commands go out as UTF-8 instead of one byte per
    // character, with SMTPUTF8 on MAIL FROM; send() uses it only with a relay that offers SMTPUTF8.
    private final Session utf8Session;
    private final SmtpConnectionPool pool;

    public GatewayMailSender(SmtpSettings settings) {
        this(settings, SmtpPoolSettings.DEFAULT, (outcome, duration) -> { });
    }

    /**
     * @param attemptListener told the outcome ("accepted" or a reason category) and duration of every attempt
     */
    public GatewayMailSender(SmtpSettings settings, SmtpPoolSettings poolSettings,
            BiConsumer<String, Duration> attemptListener) {
        this.settings = settings;
        this.attemptListener = attemptListener;
        this.protocol = settings.security() == SmtpSecurity.TLS ? "smtps" : "smtp";
        Properties properties = sessionProperties(settings, protocol);
        this.session = newSession(properties);
        Properties utf8 = new Properties();
        utf8.putAll(properties);
        utf8.put("mail.mime.allowutf8", "true");
        this.utf8Session = newSession(utf8);
        // Waiting for a free connection is bounded like any other wait on the relay.
        this.pool = new SmtpConnectionPool(this::openConnection, poolSettings,
                settings.connectTimeout().plus(settings.readTimeout()));
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

    private static Properties sessionProperties(SmtpSettings settings, String protocol) {
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

    @Override
    public void send(MimeMessage message) throws MessagingException {
        OutcomeHolder holder = message instanceof OutcomeHolder h ? h : null;
        List<InternetAddress> envelope = envelopeOf(message);
        if (holder != null) {
            holder.attempting();
        }
        SubmissionOutcome outcome = submit(message, envelope);
        if (holder != null) {
            holder.submitted(outcome);
        }
    }

    /**
     * Submits the message to these envelope recipients and returns the relay's answers; the message's own
     * {@link OutcomeHolder} is left alone, so one message can go to several relays, each with a part of its envelope.
     */
    public SubmissionOutcome submit(MimeMessage message, List<InternetAddress> envelope) throws MessagingException {
        List<String> international = internationalAddresses(message, envelope);
        long started = System.nanoTime();
        String result = "accepted";
        try {
            return international.isEmpty()
                    ? submitPooled(message, envelope) : submitInternational(message, envelope, international);
        } catch (SmtpSubmissionException e) {
            result = e.category();
            throw e;
        } finally {
            attemptListener.accept(result, Duration.ofNanos(System.nanoTime() - started));
        }
    }

    /**
     * Submits over a pooled connection. A reused connection the relay closed meanwhile fails before the relay
     * took anything; the message then goes once more over a new connection.
     */
    private SubmissionOutcome submitPooled(MimeMessage message, List<InternetAddress> envelope)
            throws SmtpSubmissionException {
        SmtpConnectionPool.Connection connection = pool.borrow();
        try {
            SubmissionOutcome outcome = submitAll(connection.transport(), message, envelope);
            pool.giveBack(connection);
            return outcome;
        } catch (ConnectionLostException e) {
            pool.discard(connection);
            if (!connection.reused()) {
                throw e;
            }
            // The idle connections are likely as stale as this one.
            pool.discardIdle();
            SmtpConnectionPool.Connection fresh = pool.borrow();
            try {
                SubmissionOutcome outcome = submitAll(fresh.transport(), message, envelope);
                pool.giveBack(fresh);
                return outcome;
            } catch (SmtpSubmissionException | RuntimeException again) {
                pool.discard(fresh);
                throw again;
            }
        } catch (SmtpSubmissionException | RuntimeException e) {
            pool.discard(connection);
            throw e;
        }
    }

    /** Mails to internationalized addresses are rare: they get a connection of their own, in UTF-8 mode. */
    private SubmissionOutcome submitInternational(MimeMessage message, List<InternetAddress> envelope,
            List<String> international) throws SmtpSubmissionException {
        SMTPTransport transport = transport(utf8Session);
        try {
            connect(transport);
            if (!transport.supportsExtension("SMTPUTF8")) {
                throw new SmtpPermanentException("recipient-rejected", "the relay does not offer SMTPUTF8, which "
                        + String.join(", ", international) + " need; nothing was sent", null, List.of(), null);
            }
            return submitAll(transport, message, envelope);
        } finally {
            closeQuietly(transport);
        }
    }

    private SMTPTransport openConnection() throws SmtpSubmissionException {
        SMTPTransport transport = transport(session);
        try {
            connect(transport);
            return transport;
        } catch (SmtpSubmissionException | RuntimeException e) {
            closeQuietly(transport);
            throw e;
        }
    }

    private SMTPTransport transport(Session from) {
        try {
            return (SMTPTransport) from.getTransport(protocol);
        } catch (MessagingException e) {
            throw new IllegalStateException("no SMTP transport available", e);
        }
    }

    /** The addresses with a UTF-8 local part (RFC 6531), which only a relay offering SMTPUTF8 may get. */
    private static List<String> internationalAddresses(MimeMessage message, List<InternetAddress> envelope)
            throws MessagingException {
        List<String> international = new ArrayList<>();
        for (Address[] addresses : new Address[][] {envelope.toArray(new Address[0]), message.getAllRecipients()}) {
            for (Address address : addresses == null ? new Address[0] : addresses) {
                String text = ((InternetAddress) address).getAddress();
                if (text.chars().anyMatch(c -> c > 0x7f) && !international.contains(text)) {
                    international.add(text);
                }
            }
        }
        return international;
    }

    /**
     * Submits to every recipient; recipients the relay refused with 452 (too many recipients) go in further
     * transactions on the same connection, as RFC 5321 section 4.5.3.1.10 suggests.
     */
    private SubmissionOutcome submitAll(SMTPTransport transport, MimeMessage message, List<InternetAddress> envelope)
            throws SmtpSubmissionException {
        SubmissionOutcome first = submit(transport, message, envelope.toArray(new InternetAddress[0]));
        List<RecipientOutcome> settled = new ArrayList<>();
        List<InternetAddress> tooMany = new ArrayList<>();
        split(first.recipients(), envelope, settled, tooMany);
        SmtpReply reply = first.reply();
        while (!tooMany.isEmpty() && settled.stream().anyMatch(RecipientOutcome::accepted)) {
            List<InternetAddress> batch = List.copyOf(tooMany);
            tooMany.clear();
            int acceptedBefore = (int) settled.stream().filter(RecipientOutcome::accepted).count();
            try {
                SubmissionOutcome next = submit(transport, message, batch.toArray(new InternetAddress[0]));
                reply = next.reply();
                split(next.recipients(), batch, settled, tooMany);
            } catch (SmtpSubmissionException e) {
                // Later transactions failing leaves those recipients deferred; the accepted ones stay accepted.
                SmtpReply deferred = e.reply() != null && e.reply().transientFailure() ? e.reply()
                        : SmtpReply.parse(451, "451 4.3.0 not submitted: " + e.getMessage());
                batch.forEach(a -> settled.add(new RecipientOutcome(a.getAddress(), deferred)));
                return new SubmissionOutcome(reply, settled);
            }
            if (settled.stream().filter(RecipientOutcome::accepted).count() == acceptedBefore) {
                break;
            }
        }
        tooMany.forEach(a -> settled.add(new RecipientOutcome(a.getAddress(), SmtpReply.parse(452, "452 4.5.3 too many recipients"))));
        return new SubmissionOutcome(reply, settled);
    }

    private static void split(List<RecipientOutcome> outcomes, List<InternetAddress> sent, List<RecipientOutcome> settled,
            List<InternetAddress> tooMany) {
        for (RecipientOutcome outcome : outcomes) {
            if (outcome.reply().code() == 452) {
                sent.stream().filter(a -> a.getAddress().equalsIgnoreCase(outcome.address())).findFirst().ifPresent(tooMany::add);
            } else {
                settled.add(outcome);
            }
        }
    }

    /** The recipients to submit to: the message's own envelope (a retry's pending ones), else all it names. */
    public static List<InternetAddress> envelopeOf(MimeMessage message) throws MessagingException {
        List<InternetAddress> envelope = new ArrayList<>();
        if (message instanceof OutcomeHolder holder && holder.envelope() != null) {
            envelope.addAll(holder.envelope());
        } else if (message.getAllRecipients() != null) {
            for (Address address : message.getAllRecipients()) {
                envelope.add((InternetAddress) address);
            }
        }
        if (envelope.isEmpty()) {
            throw new SmtpPermanentException("invalid-request", "message has no recipients", null, List.of(), null);
        }
        return envelope;
    }

    /**
     * Connects, negotiates TLS and authenticates exactly as a submission would, then quits without sending.
     * Throws what a submission would throw at that stage.
     */
    @Override
    public void probe() throws SmtpSubmissionException {
        closeQuietly(openConnection());
    }

    private void connect(SMTPTransport transport) throws SmtpSubmissionException {
        try {
            transport.connect(settings.host(), settings.port(), settings.username(), settings.password());
        } catch (AuthenticationFailedException e) {
            SmtpReply reply = lastReply(transport);
            // A 454 (RFC 4954) or a connection lost during AUTH says nothing about the credentials.
            if (reply == null || reply.transientFailure()) {
                throw new SmtpTransientException("the relay could not authenticate now", reply, List.of(), null);
            }
            throw new SmtpPermanentException("auth-failed", "the relay refused the credentials", reply, List.of(), null);
        } catch (MessagingException e) {
            throw classifyConnectFailure(transport, e);
        }
        // Angus skips AUTH silently when the relay does not advertise it; sending unauthenticated is not what
        // the operator configured.
        if (settings.authenticates() && !transport.supportsExtension("AUTH") && !transport.supportsExtension("AUTH=LOGIN")) {
            throw new SmtpPermanentException("auth-failed",
                    "the relay does not offer AUTH although credentials are configured; nothing was sent",
                    null, List.of(), null);
        }
    }

    private SmtpSubmissionException classifyConnectFailure(SMTPTransport transport, MessagingException e) {
        if (isTlsProblem(e)) {
            return new SmtpPermanentException("tls-failed", "TLS with the relay failed: " + rootMessage(e),
                    null, List.of(), null);
        }
        SmtpReply reply = lastReply(transport);
        if (reply != null && reply.code() >= 500) {
            return new SmtpPermanentException("relay-unavailable", "the relay refused the connection",
                    reply, List.of(), null);
        }
        // Nothing of the message was sent yet: another relay may take it.
        return new RelayUnreachableException("cannot reach the relay: " + rootMessage(e), reply, null);
    }

    private SubmissionOutcome submit(SMTPTransport transport, MimeMessage message, Address[] recipients)
            throws SmtpSubmissionException {
        try {
            transport.sendMessage(message, recipients);
            // Not reached with reportsuccess; kept for relays that end the dialogue without RCPT details.
            return new SubmissionOutcome(lastReply(transport), List.of());
        } catch (SMTPSendFailedException e) {
            List<RecipientOutcome> perRecipient = recipientOutcomes(e);
            if (!isReplyCode(e.getReturnCode())) {
                // The connection was lost before a reply, and before the final "." (that case is an unknown
                // outcome, told apart by GatewaySmtpTransport): nothing was delivered.
                throw new ConnectionLostException("the connection to the relay was lost", perRecipient);
            }
            SmtpReply reply = SmtpReply.parse(e.getReturnCode(), e.getMessage());
            if (".".equals(e.getCommand()) && reply.positive()) {
                return new SubmissionOutcome(reply, perRecipient);
            }
            if (reply.transientFailure()) {
                return throwTransient("the relay deferred the message", reply, perRecipient);
            }
            throw new SmtpPermanentException("message-rejected", "the relay rejected the message", reply,
                    perRecipient, null);
        } catch (SendFailedException e) {
            // No recipient was accepted: permanent when every refusal is, else worth another try.
            List<RecipientOutcome> perRecipient = recipientOutcomes(e);
            SmtpReply first = perRecipient.isEmpty() ? lastReply(transport) : perRecipient.get(0).reply();
            boolean anyTransient = perRecipient.stream().anyMatch(r -> r.reply().transientFailure());
            if (anyTransient || perRecipient.isEmpty()) {
                return throwTransient("the relay deferred the recipients", first, perRecipient);
            }
            throw new SmtpPermanentException("recipient-rejected", "the relay rejected every recipient", first,
                    perRecipient, null);
        } catch (GatewaySmtpTransport.OutcomeUnknownException e) {
            throw new SmtpUnknownOutcomeException("no reply from the relay after the message was sent: "
                    + rootMessage(e), List.of(), null);
        } catch (MessagingException e) {
            if (isTlsProblem(e)) {
                throw new SmtpPermanentException("tls-failed", "TLS with the relay failed: " + rootMessage(e),
                        null, List.of(), null);
            }
            throw new ConnectionLostException("the connection to the relay failed: " + rootMessage(e), List.of());
        }
    }

    private static SubmissionOutcome throwTransient(String detail, SmtpReply reply, List<RecipientOutcome> recipients)
            throws SmtpTransientException {
        throw new SmtpTransientException(detail, reply, recipients, null);
    }

    private static List<RecipientOutcome> recipientOutcomes(MessagingException e) {
        List<RecipientOutcome> outcomes = new ArrayList<>();
        Exception next = e.getNextException();
        while (next instanceof MessagingException link) {
            if (link instanceof SMTPAddressSucceededException ok) {
                outcomes.add(new RecipientOutcome(ok.getAddress().getAddress(),
                        SmtpReply.parse(ok.getReturnCode(), ok.getMessage())));
            } else if (link instanceof SMTPAddressFailedException failed) {
                outcomes.add(new RecipientOutcome(failed.getAddress().getAddress(),
                        SmtpReply.parse(failed.getReturnCode(), failed.getMessage())));
            }
            next = link.getNextException();
        }
        return outcomes;
    }

    private static SmtpReply lastReply(SMTPTransport transport) {
        String response = transport.getLastServerResponse();
        if (response == null || response.isBlank() || !isReplyCode(transport.getLastReturnCode())) {
            return null;
        }
        return SmtpReply.parse(transport.getLastReturnCode(), response);
    }

    // Angus reports end of stream as -1 ("[EOF]") and a read error as 0; neither is a reply of the relay.
    private static boolean isReplyCode(int code) {
        return code >= 200 && code <= 599;
    }

    private static boolean isTlsProblem(Throwable e) {
        for (Throwable t = e; t != null; t = nextCause(t)) {
            if (t instanceof SSLException || t instanceof java.security.cert.CertificateException) {
                return true;
            }
            String message = t.getMessage();
            if (message != null && message.contains("STARTTLS")) {
                return true;
            }
        }
        return false;
    }

    private static Throwable nextCause(Throwable t) {
        if (t instanceof MessagingException m && m.getNextException() != null && m.getNextException() != t.getCause()) {
            return m.getNextException();
        }
        return t.getCause() == t ? null : t.getCause();
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        for (Throwable t = e; t != null; t = nextCause(t)) {
            root = t;
        }
        String message = root.getMessage();
        return root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private static void closeQuietly(SMTPTransport transport) {
        try {
            transport.close();
        } catch (MessagingException | RuntimeException ignored) {
            // the message's fate is already decided; a failing QUIT changes nothing
        }
    }

    public SmtpSettings settings() {
        return settings;
    }

    /** Connections open to the relay now, idle or carrying a message. */
    public int openConnections() {
        return pool.open();
    }

    /** Connections opened so far; with reuse, far fewer than messages sent. */
    public long connectionsOpened() {
        return pool.created();
    }

    /** Closes the idle connections, and each busy one once its message is done. */
    @Override
    public void close() {
        pool.close();
    }

    @Override
    public void start() {
        // connections are opened on demand
    }

    @Override
    public void stop() {
        close();
    }

    /** The connection failed before the relay answered the message: nothing was delivered. */
    static final class ConnectionLostException extends SmtpTransientException {
        ConnectionLostException(String detail, List<RecipientOutcome> recipients) {
            super(detail, null, recipients, null);
        }
    }

    // The JavaMailSender contract below: configuration comes only from SmtpSettings, never from camel-mail.

    @Override
    public Properties getJavaMailProperties() {
        Properties copy = new Properties();
        copy.putAll(session.getProperties());
        return copy;
    }

    @Override
    public void setJavaMailProperties(Properties javaMailProperties) {
        throw unsupported();
    }

    @Override
    public void addAdditionalJavaMailProperty(String key, String value) {
        throw unsupported();
    }

    @Override
    public void setHost(String host) {
        throw unsupported();
    }

    @Override
    public String getHost() {
        return settings.host();
    }

    @Override
    public void setPort(int port) {
        throw unsupported();
    }

    @Override
    public int getPort() {
        return settings.port();
    }

    @Override
    public void setUsername(String username) {
        throw unsupported();
    }

    @Override
    public String getUsername() {
        return settings.username();
    }

    @Override
    public void setPassword(String password) {
        throw unsupported();
    }

    @Override
    public String getPassword() {
        return settings.password();
    }

    @Override
    public void setProtocol(String protocol) {
        throw unsupported();
    }

    @Override
    public String getProtocol() {
        return protocol;
    }

    @Override
    public void setSession(Session session) {
        throw unsupported();
    }

    @Override
    public Session getSession() {
        return session;
    }

    @Override
    public void setAuthenticator(MailAuthenticator authenticator) {
        throw unsupported();
    }

    @Override
    public MailAuthenticator getAuthenticator() {
        return null;
    }

    private static UnsupportedOperationException unsupported() {
        return new UnsupportedOperationException("the SMTP relay is configured with SMTP_* settings only");
    }

}
