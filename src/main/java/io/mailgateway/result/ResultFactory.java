package io.mailgateway.result;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import org.apache.camel.RuntimeCamelException;

import io.mailgateway.enrich.ProfileLookupException;
import io.mailgateway.mime.MessageIds;
import io.mailgateway.mime.OutboundMessage;
import io.mailgateway.render.RenderException;
import io.mailgateway.request.MailRequest;
import io.mailgateway.request.RequestRejectedException;
import io.mailgateway.result.DeliveryResult.Reason;
import io.mailgateway.result.DeliveryResult.Recipient;
import io.mailgateway.result.DeliveryResult.Smtp;
import io.mailgateway.result.DeliveryResult.Status;
import io.mailgateway.smtp.RecipientOutcome;
import io.mailgateway.smtp.SmtpReply;
import io.mailgateway.smtp.SmtpSubmissionException;
import io.mailgateway.smtp.SmtpTransientException;
import io.mailgateway.smtp.SubmissionOutcome;

/** Builds the terminal delivery result of a request from what happened to it. */
public final class ResultFactory {

    private final Clock clock;

    public ResultFactory(Clock clock) {
        this.clock = clock;
    }

    /** The current time as results write it; the consuming route stamps {@code receivedAt} with it. */
    public String now() {
        return timestamp(clock.instant());
    }

    /**
     * The instant as results write it: UTC to the millisecond, {@code uuuu-MM-ddTHH:mm:ss.SSSZ}. Written for every
     * message, so by {@link Instant#toString()}'s specialised printer rather than a pattern formatter.
     */
    static String timestamp(Instant instant) {
        String text = instant.truncatedTo(ChronoUnit.MILLIS).toString();
        // Instant.toString leaves out a fraction of zero; the contract's form always has one.
        return instant.getNano() < 1_000_000 ? text.substring(0, text.length() - 1) + ".000Z" : text;
    }

    /**
     * The relay accepted the message for at least one recipient.
     *
     * @param outcome  what the relay answered the submission
     * @param attempts how many times the message was submitted, this time included
     */
    public DeliveryResult sent(MailRequest request, SubmissionOutcome outcome, int attempts, String receivedAt) {
        if (outcome == null) {
            throw new IllegalStateException("message " + request.id() + " was not submitted");
        }
        return new DeliveryResult(request.id(), Status.SENT, true, messageId(request), attempts,
                smtp(outcome.reply()), recipients(outcome.recipients()), null, request.tags(), null, receivedAt, now());
    }

    /** The Message-ID the composer gave the request's mail: the same on every attempt. */
    private static String messageId(MailRequest request) {
        return request.from() == null ? null : MessageIds.forRequest(request.id(), request.from().address());
    }

    /**
     * The request ended without a mail: rejected before submission, or refused by the relay.
     *
     * @param body        the exchange body when it failed (the composed message, when it got that far)
     * @param submissions how many times this attempt handed the message to the relay
     * @param request     the parsed request, or null when parsing failed
     * @param fallbackId  the record key, or TOPIC-PARTITION-OFFSET when there is none
     */
    public DeliveryResult failed(Exception thrown, Object body, int submissions, MailRequest request,
            String fallbackId, String receivedAt) {
        // Camel wraps what a bean method called with several parameters throws (compose(a, b)); the result is
        // about what the gateway threw, e.g. a message over the size limit.
        Exception failure = thrown;
        while (failure instanceof RuntimeCamelException && failure.getCause() instanceof Exception cause) {
            failure = cause;
        }
        String id = request != null ? request.id() : fallbackId;
        Map<String, String> tags = request != null ? request.tags() : Map.of();
        if (failure instanceof RequestRejectedException rejected) {
            if (request == null && rejected.requestId() != null) {
                id = rejected.requestId();
                tags = rejected.tags();
            }
            return rejected(id, rejected.category(), rejected.detail(), tags, receivedAt);
        }
        if (failure instanceof RenderException render) {
            return rejected(id, render.category(), render.detail(), tags, receivedAt);
        }
        OutboundMessage message = body instanceof OutboundMessage composed ? composed : null;
        String messageId = message == null ? null : message.messageId();
        Integer attempts = message == null || submissions == 0 ? null : submissions;
        if (failure instanceof SmtpSubmissionException smtp) {
            return new DeliveryResult(id, Status.FAILED, true, messageId, attempts, smtp(smtp.reply()),
                    failedAttemptRecipients(smtp), new Reason(smtp.category(), smtp.getMessage()), tags, null,
                    receivedAt, now());
        }
        if (failure instanceof ProfileLookupException profile) {
            // The gateway tried to deliver and could not; counting it as an attempt lets retries back off.
            return new DeliveryResult(id, Status.FAILED, true, messageId, 1, null, null,
                    new Reason(profile.category(), profile.detail()), tags, null, receivedAt, now());
        }
        // A fault of the gateway itself: say so without echoing internals that may carry request content.
        return new DeliveryResult(id, Status.FAILED, true, messageId, attempts, null, null,
                new Reason("unknown-outcome", "internal error: " + failure.getClass().getSimpleName()), tags, null,
                receivedAt, now());
    }

    private DeliveryResult rejected(String id, String category, String detail, Map<String, String> tags, String receivedAt) {
        return new DeliveryResult(id, Status.REJECTED, true, null, null, null, null, new Reason(category, detail), tags,
                null, receivedAt, now());
    }

    private static Smtp smtp(SmtpReply reply) {
        return reply == null ? null : new Smtp(reply.code(), reply.enhancedStatus(), reply.text());
    }

    private static List<Recipient> recipients(List<RecipientOutcome> outcomes) {
        return outcomes.stream()
                .map(o -> new Recipient(o.address(), recipientStatus(o.reply()), o.reply().code(),
                        o.reply().enhancedStatus(), o.reply().text()))
                .toList();
    }

    /**
     * Recipients of an attempt that failed as a whole: one accepted at RCPT did not get the mail either, so it
     * shares the attempt's fate (deferred when the failure is transient, failed otherwise) and its reply.
     */
    private static List<Recipient> failedAttemptRecipients(SmtpSubmissionException failure) {
        Status attemptStatus = failure instanceof SmtpTransientException ? Status.DEFERRED : Status.FAILED;
        SmtpReply attemptReply = failure.reply();
        return failure.recipients().stream().map(o -> {
            if (!o.reply().positive()) {
                return new Recipient(o.address(), recipientStatus(o.reply()), o.reply().code(),
                        o.reply().enhancedStatus(), o.reply().text());
            }
            return attemptReply == null
                    ? new Recipient(o.address(), attemptStatus, null, null, null)
                    : new Recipient(o.address(), attemptStatus, attemptReply.code(), attemptReply.enhancedStatus(),
                            attemptReply.text());
        }).toList();
    }

    private static Status recipientStatus(SmtpReply reply) {
        if (reply.positive()) {
            return Status.SENT;
        }
        return reply.transientFailure() ? Status.DEFERRED : Status.FAILED;
    }
}
