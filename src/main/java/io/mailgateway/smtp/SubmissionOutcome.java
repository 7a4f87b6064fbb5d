package io.mailgateway.smtp;

import java.util.List;

/**
 * The relay accepted the message: its reply to the final "." and the answer for every recipient.
 */
public record SubmissionOutcome(SmtpReply reply, List<RecipientOutcome> recipients) {

    public SubmissionOutcome {
        recipients = List.copyOf(recipients);
    }
}
