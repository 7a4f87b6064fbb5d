package io.mailgateway.mime;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

import io.mailgateway.smtp.OutcomeHolder;
import io.mailgateway.smtp.SubmissionOutcome;

/** A composed mail with a fixed Message-ID, carrying the relay's answer once it was submitted. */
public class OutboundMessage extends MimeMessage implements OutcomeHolder {

    private final String requestId;
    private final String fixedMessageId;
    private final AtomicInteger attempts = new AtomicInteger();
    private volatile List<InternetAddress> envelope;
    private volatile SubmissionOutcome outcome;
    private volatile String tenant;

    OutboundMessage(Session session, String requestId, String messageId) {
        super(session);
        this.requestId = requestId;
        this.fixedMessageId = messageId;
    }

    // MimeMessage would generate a random Message-ID on every saveChanges(); ours derives from the request id.
    @Override
    protected void updateMessageID() throws MessagingException {
        setHeader("Message-ID", fixedMessageId);
    }

    public String requestId() {
        return requestId;
    }

    public String messageId() {
        return fixedMessageId;
    }

    @Override
    public List<InternetAddress> envelope() {
        return envelope;
    }

    /** Limits this attempt to these recipients (a retry for the recipients still pending); null for all. */
    public void restrictEnvelope(List<String> addresses) {
        this.envelope = addresses == null ? null : addresses.stream().map(OutboundMessage::address).toList();
    }

    private static InternetAddress address(String address) {
        try {
            return new InternetAddress(address, true);
        } catch (AddressException e) {
            throw new IllegalArgumentException("not an address: " + address, e);
        }
    }

    /** The tenant of the request (its {@code tags.tenant}), or null; it may decide which relays take the message. */
    public String tenant() {
        return tenant;
    }

    public void tenant(String tenant) {
        this.tenant = tenant;
    }

    @Override
    public void attempting() {
        attempts.incrementAndGet();
    }

    /** How many times the message was handed to the relay so far. */
    public int attempts() {
        return attempts.get();
    }

    @Override
    public void submitted(SubmissionOutcome outcome) {
        this.outcome = outcome;
    }

    /** The relay's answer, or null before a successful submission. */
    public SubmissionOutcome outcome() {
        return outcome;
    }
}
