package io.mailgateway.smtp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.BiConsumer;

import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

import org.eclipse.angus.mail.smtp.SMTPTransport;

/** Submits messages to one relay over pooled sessions and returns the relay's answer for every recipient. */
public class GatewayMailSender implements RelayProbe, AutoCloseable, org.apache.camel.Service {

    private final SmtpSettings settings;
    private final SmtpSessions sessions;
    private final BiConsumer<String, Duration> attemptListener;
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
        this.sessions = new SmtpSessions(settings);
        this.attemptListener = attemptListener;
        // Waiting for a free connection is bounded like any other wait on the relay.
        this.pool = new SmtpConnectionPool(sessions::open, poolSettings,
                settings.connectTimeout().plus(settings.readTimeout()));
    }

    /** Submits the message to every recipient it names. */
    public SubmissionOutcome submit(MimeMessage message) throws MessagingException {
        return submit(message, Envelope.of(message, null));
    }

    /**
     * Submits the message to these envelope recipients and returns the relay's answers, so one message can go to
     * several relays, each with a part of its envelope.
     */
    public SubmissionOutcome submit(MimeMessage message, List<InternetAddress> envelope) throws MessagingException {
        return submit(message, envelope, ReturnPathPlan.NONE);
    }

    /**
     * Submits the message to these envelope recipients, with VERP each in a transaction of its own with its return
     * path, and returns the relay's answers.
     */
    public SubmissionOutcome submit(MimeMessage message, List<InternetAddress> envelope, ReturnPathPlan returnPaths)
            throws MessagingException {
        List<String> international = internationalAddresses(message, envelope);
        long started = System.nanoTime();
        SmtpTransaction.Copies copies = new SmtpTransaction.Copies(returnPaths,
                started + LongestTransaction.lastCopyStart(settings, envelope.size()).toNanos());
        String result = "accepted";
        try {
            return international.isEmpty()
                    ? submitPooled(message, envelope, copies)
                    : submitInternational(message, envelope, copies, international);
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
    private SubmissionOutcome submitPooled(MimeMessage message, List<InternetAddress> envelope,
            SmtpTransaction.Copies copies) throws SmtpSubmissionException {
        SmtpConnectionPool.Connection connection = pool.borrow();
        try {
            SubmissionOutcome outcome = SmtpTransaction.submitAll(connection.transport(), message, envelope,
                    copies);
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
                SubmissionOutcome outcome = SmtpTransaction.submitAll(fresh.transport(), message, envelope,
                        copies);
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
            SmtpTransaction.Copies copies, List<String> international) throws SmtpSubmissionException {
        SMTPTransport transport = sessions.openUtf8();
        try {
            if (!transport.supportsExtension("SMTPUTF8")) {
                throw new SmtpPermanentException("recipient-rejected", "the relay does not offer SMTPUTF8, which "
                        + String.join(", ", international) + " need; nothing was sent", null, List.of(), null);
            }
            return SmtpTransaction.submitAll(transport, message, envelope, copies);
        } finally {
            SmtpSessions.closeQuietly(transport);
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
     * Connects, negotiates TLS and authenticates exactly as a submission would, then quits without sending.
     * Throws what a submission would throw at that stage.
     */
    @Override
    public void probe() throws SmtpSubmissionException {
        SmtpSessions.closeQuietly(sessions.open());
    }

    public SmtpSettings settings() {
        return settings;
    }

    /** The Jakarta Mail properties of the sessions with this relay: TLS, timeouts and reply reporting. */
    public Properties sessionProperties() {
        return sessions.properties();
    }

    /** Connections open to the relay now, idle or carrying a message. */
    public int openConnections() {
        return pool.open();
    }

    /** Connections carrying a message now; at the pool's size, further messages wait for one. */
    public int busyConnections() {
        return pool.busy();
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
}
