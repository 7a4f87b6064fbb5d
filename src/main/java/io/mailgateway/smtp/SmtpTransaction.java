package io.mailgateway.smtp;

import java.util.ArrayList;
import java.util.List;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

import org.eclipse.angus.mail.smtp.SMTPTransport;

/**
 * Sends one message to its envelope over a connected session: in one transaction, where recipients the relay
 * refused with 452 (too many recipients) go in further transactions on the same connection, as RFC 5321 section
 * 4.5.3.1.10 suggests; or, with VERP, in one transaction per recipient, each with its own return path.
 */
final class SmtpTransaction {

    private SmtpTransaction() {
    }

    /**
     * How a message goes out with VERP.
     *
     * @param returnPaths   each recipient's return path, or none: one transaction for everyone
     * @param lastCopyStart the {@link System#nanoTime()} after which no further recipient's transaction starts
     */
    record Copies(ReturnPathPlan returnPaths, long lastCopyStart) {
    }

    static SubmissionOutcome submitAll(SMTPTransport transport, MimeMessage message, List<InternetAddress> envelope,
            Copies copies) throws SmtpSubmissionException {
        if (copies.returnPaths().perRecipient()) {
            return submitEach(transport, message, envelope, copies);
        }
        return submitTogether(transport, message, envelope);
    }

    private static SubmissionOutcome submitTogether(SMTPTransport transport, MimeMessage message, List<InternetAddress> envelope)
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

    /**
     * One transaction per recipient, the same message bytes each time. A refusal at RCPT settles that recipient
     * only. A failure of the message itself fails the message while no copy went out yet; afterwards the relay's
     * answer settles that recipient alone, and a connection that failed defers the recipients not sent to, as in
     * the 452 case.
     */
    private static SubmissionOutcome submitEach(SMTPTransport transport, MimeMessage message,
            List<InternetAddress> envelope, Copies copies) throws SmtpSubmissionException {
        ReturnPathPlan returnPaths = copies.returnPaths();
        if (!(transport instanceof GatewaySmtpTransport gateway)) {
            throw new IllegalStateException("VERP needs the gateway's SMTP transport, not " + transport.getClass());
        }
        List<RecipientOutcome> settled = new ArrayList<>();
        SmtpReply reply = null;
        for (int i = 0; i < envelope.size(); i++) {
            if (i > 0 && System.nanoTime() - copies.lastCopyStart() > 0) {
                // A slow relay: the next copy could end after the shutdown timeout gives up on this one.
                SmtpReply later = SmtpReply.parse(451, "451 4.4.0 not sent in this attempt: the relay is too slow"
                        + " to take every recipient's copy within the submission's time bound");
                envelope.subList(i, envelope.size())
                        .forEach(a -> settled.add(new RecipientOutcome(a.getAddress(), later)));
                break;
            }
            InternetAddress recipient = envelope.get(i);
            String returnPath = returnPaths.returnPath(recipient.getAddress());
            try {
                SubmissionOutcome outcome;
                try {
                    gateway.sendMessage(message, recipient, returnPath, returnPaths.envelopeId());
                    // Not reached with reportsuccess, as in a transaction for everyone.
                    outcome = new SubmissionOutcome(SmtpReplies.lastReply(transport), List.of());
                } catch (MessagingException e) {
                    outcome = SmtpReplies.sendFailure(transport, e);
                }
                reply = outcome.reply();
                settled.addAll(outcome.recipients());
            } catch (SmtpSubmissionException e) {
                RecipientOutcome refusal = e.recipients().stream()
                        .filter(o -> o.address().equalsIgnoreCase(recipient.getAddress()) && !o.accepted())
                        .findFirst().orElse(null);
                if (refusal != null) {
                    settled.add(refusal);
                } else if (reply != null && answered(e)) {
                    // Others have their copy: the relay's answer to this one is about this recipient alone.
                    settled.add(new RecipientOutcome(recipient.getAddress(), e.reply()));
                } else if (reply == null) {
                    throw settled.isEmpty() ? e : withRecipients(e, settled);
                } else {
                    SmtpReply deferred = e.reply() != null && e.reply().transientFailure() ? e.reply()
                            : SmtpReply.parse(451, "451 4.3.0 not submitted: " + e.getMessage());
                    envelope.subList(i, envelope.size())
                            .forEach(a -> settled.add(new RecipientOutcome(a.getAddress(), deferred)));
                    return new SubmissionOutcome(reply, settled);
                }
            }
        }
        if (reply == null) {
            // No copy went out: the same failure one transaction for everyone would have given.
            boolean anyTransient = settled.stream().anyMatch(o -> o.reply().transientFailure());
            if (anyTransient) {
                throw new SmtpTransientException("the relay deferred the recipients", settled.get(0).reply(),
                        settled, null);
            }
            throw new SmtpPermanentException("recipient-rejected", "the relay rejected every recipient",
                    settled.get(0).reply(), settled, null);
        }
        return new SubmissionOutcome(reply, settled);
    }

    /** Whether the relay refused or deferred the message with a reply, the connection still usable. */
    private static boolean answered(SmtpSubmissionException e) {
        return (e instanceof SmtpPermanentException || e instanceof SmtpTransientException) && e.reply() != null
                && e.reply().code() >= 400;
    }

    /** The failure of the message, keeping what the relay said of recipients in earlier transactions. */
    private static SmtpSubmissionException withRecipients(SmtpSubmissionException e, List<RecipientOutcome> earlier) {
        List<RecipientOutcome> recipients = new ArrayList<>(earlier);
        recipients.addAll(e.recipients());
        if (e instanceof SmtpTransientException) {
            return new SmtpTransientException(e.getMessage(), e.reply(), recipients, e);
        }
        if (e instanceof SmtpPermanentException) {
            return new SmtpPermanentException(e.category(), e.getMessage(), e.reply(), recipients, e);
        }
        if (e instanceof SmtpUnknownOutcomeException) {
            return new SmtpUnknownOutcomeException(e.getMessage(), recipients, e);
        }
        // A lost connection is tried again whole, on a new connection: the earlier refusals come again.
        return e;
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
