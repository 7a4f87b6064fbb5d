package io.mailgateway.smtp;

import java.util.List;

import jakarta.mail.MessagingException;

/**
 * A message the relay did not take; says why in the words of the delivery result.
 * The message text never holds credentials or message content.
 */
public abstract class SmtpSubmissionException extends MessagingException {

    private final String category;
    private final transient SmtpReply reply;
    private final transient List<RecipientOutcome> recipients;

    protected SmtpSubmissionException(String category, String detail, SmtpReply reply,
            List<RecipientOutcome> recipients, Exception cause) {
        super(detail, cause);
        this.category = category;
        this.reply = reply;
        this.recipients = recipients == null ? List.of() : List.copyOf(recipients);
    }

    /** A reason category of the delivery result, e.g. "message-rejected". */
    public String category() {
        return category;
    }

    /** The relay's reply that decided the outcome, or null when there was none (e.g. no connection). */
    public SmtpReply reply() {
        return reply;
    }

    /** Per-recipient answers, when the relay got as far as RCPT. */
    public List<RecipientOutcome> recipients() {
        return recipients;
    }
}
