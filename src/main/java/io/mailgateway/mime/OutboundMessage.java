package io.mailgateway.mime;

import java.util.concurrent.atomic.AtomicInteger;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;

import io.mailgateway.smtp.OutcomeHolder;
import io.mailgateway.smtp.SubmissionOutcome;

/** A composed mail with a fixed Message-ID, carrying the relay's answer once it was submitted. */
public class OutboundMessage extends MimeMessage implements OutcomeHolder {

    private final String requestId;
    private final String fixedMessageId;
    private final AtomicInteger attempts = new AtomicInteger();
    private volatile SubmissionOutcome outcome;

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
