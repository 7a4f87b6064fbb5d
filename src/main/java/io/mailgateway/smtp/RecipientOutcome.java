package io.mailgateway.smtp;

/** What the relay answered to RCPT for one envelope recipient. */
public record RecipientOutcome(String address, SmtpReply reply) {

    public boolean accepted() {
        return reply.positive();
    }
}
