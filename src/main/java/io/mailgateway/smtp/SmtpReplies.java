package io.mailgateway.smtp;

import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SSLException;

import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;

import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPAddressSucceededException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/** Reads what Jakarta Mail reports of a relay's replies as the gateway's submission failures, per recipient. */
final class SmtpReplies {

    private SmtpReplies() {
    }

    /** Why a connection could not be set up; only an unreachable relay may be failed over. */
    static SmtpSubmissionException connectFailure(SMTPTransport transport, MessagingException e) {
        if (isTlsProblem(e)) {
            return tlsFailure(e);
        }
        SmtpReply reply = lastReply(transport);
        if (reply != null && reply.code() >= 500) {
            return new SmtpPermanentException("relay-unavailable", "the relay refused the connection",
                    reply, List.of(), null);
        }
        // Nothing of the message was sent yet: another relay may take it.
        return new RelayUnreachableException("cannot reach the relay: " + rootMessage(e), reply, null);
    }

    /**
     * What a failed transaction means: the relay's answers when it took the message after all, else the failure.
     *
     * @throws SmtpSubmissionException what the relay's replies say about the message
     */
    static SubmissionOutcome sendFailure(SMTPTransport transport, MessagingException e) throws SmtpSubmissionException {
        if (e instanceof SMTPSendFailedException failed) {
            List<RecipientOutcome> perRecipient = recipientOutcomes(failed);
            if (!isReplyCode(failed.getReturnCode())) {
                // The connection was lost before a reply, and before the final "." (that case is an unknown
                // outcome, told apart by GatewaySmtpTransport): nothing was delivered.
                throw new ConnectionLostException("the connection to the relay was lost", perRecipient);
            }
            SmtpReply reply = SmtpReply.parse(failed.getReturnCode(), failed.getMessage());
            if (".".equals(failed.getCommand()) && reply.positive()) {
                return new SubmissionOutcome(reply, perRecipient);
            }
            if (reply.transientFailure()) {
                throw new SmtpTransientException("the relay deferred the message", reply, perRecipient, null);
            }
            throw new SmtpPermanentException("message-rejected", "the relay rejected the message", reply,
                    perRecipient, null);
        }
        if (e instanceof SendFailedException refused) {
            // No recipient was accepted: permanent when every refusal is, else worth another try.
            List<RecipientOutcome> perRecipient = recipientOutcomes(refused);
            SmtpReply first = perRecipient.isEmpty() ? lastReply(transport) : perRecipient.get(0).reply();
            boolean anyTransient = perRecipient.stream().anyMatch(r -> r.reply().transientFailure());
            if (anyTransient || perRecipient.isEmpty()) {
                throw new SmtpTransientException("the relay deferred the recipients", first, perRecipient, null);
            }
            throw new SmtpPermanentException("recipient-rejected", "the relay rejected every recipient", first,
                    perRecipient, null);
        }
        if (e instanceof GatewaySmtpTransport.OutcomeUnknownException) {
            throw new SmtpUnknownOutcomeException("no reply from the relay after the message was sent: "
                    + rootMessage(e), List.of(), null);
        }
        if (isTlsProblem(e)) {
            throw tlsFailure(e);
        }
        throw new ConnectionLostException("the connection to the relay failed: " + rootMessage(e), List.of());
    }

    private static SmtpPermanentException tlsFailure(MessagingException e) {
        return new SmtpPermanentException("tls-failed", "TLS with the relay failed: " + rootMessage(e),
                null, List.of(), null);
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

    /** The relay's last reply, or null when the last thing it did was not a reply (silence, a closed socket). */
    static SmtpReply lastReply(SMTPTransport transport) {
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
}
