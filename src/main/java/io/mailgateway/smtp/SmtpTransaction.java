package io.mailgateway.smtp;

import java.util.ArrayList;
import java.util.List;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

import org.eclipse.angus.mail.smtp.SMTPTransport;

/**
 * Sends one message to its envelope over a connected session; recipients the relay refused with 452 (too many
 * recipients) go in further transactions on the same connection, as RFC 5321 section 4.5.3.1.10 suggests.
 */
final class SmtpTransaction {

    private SmtpTransaction() {
    }

    static SubmissionOutcome submitAll(SMTPTransport transport, MimeMessage message, List<InternetAddress> envelope)
            throws SmtpSubmissionException {
        SubmissionOutcome first = submit(transport, message, envelope);
        List<RecipientOutcome> settled = new ArrayList<>();
        List<InternetAddress> tooMany = new ArrayList<>();
        split(first.recipients(), envelope, settled, tooMany);
        SmtpReply reply = first.reply();
        while (!tooMany.isEmpty() && settled.stream().anyMatch(RecipientOutcome::accepted)) {
            List<InternetAddress> batch = List.copyOf(tooMany);
            tooMany.clear();
            int acceptedBefore = (int) settled.stream().filter(RecipientOutcome::accepted).count();
            try {
                SubmissionOutcome next = submit(transport, message, batch);
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

    private static SubmissionOutcome submit(SMTPTransport transport, MimeMessage message, List<InternetAddress> recipients)
            throws SmtpSubmissionException {
        try {
            transport.sendMessage(message, recipients.toArray(new InternetAddress[0]));
            // Not reached with reportsuccess; kept for relays that end the dialogue without RCPT details.
            return new SubmissionOutcome(SmtpReplies.lastReply(transport), List.of());
        } catch (MessagingException e) {
            return SmtpReplies.sendFailure(transport, e);
        }
    }
}
