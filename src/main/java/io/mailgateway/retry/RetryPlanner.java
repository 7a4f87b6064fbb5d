package io.mailgateway.retry;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.RuntimeCamelException;

import io.mailgateway.attempt.Attempt;
import io.mailgateway.attempt.Decision;
import io.mailgateway.attempt.RetryRecord;
import io.mailgateway.attempt.RetryState;
import io.mailgateway.enrich.ProfileLookupException;
import io.mailgateway.mime.MessageIds;
import io.mailgateway.relay.RateLimitedException;
import io.mailgateway.request.MailAddress;
import io.mailgateway.request.MailRequest;
import io.mailgateway.result.DeliveryResult;
import io.mailgateway.result.DeliveryResult.Reason;
import io.mailgateway.result.DeliveryResult.Recipient;
import io.mailgateway.result.DeliveryResult.Status;
import io.mailgateway.result.ResultFactory;
import io.mailgateway.smtp.SmtpSubmissionException;
import io.mailgateway.smtp.SmtpTransientException;
import io.mailgateway.smtp.SmtpUnknownOutcomeException;
import io.mailgateway.smtp.SubmissionOutcome;
import io.mailgateway.suppress.Suppression;

/**
 * Decides what an attempt means for its request: done (a terminal result), or deferred (a progress result and a
 * retry on the durable schedule), or expired. Recipients the relay accepted are never tried again.
 */
public final class RetryPlanner {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ResultFactory results;
    private final RetrySchedule schedule;
    private final Clock clock;

    public RetryPlanner(ResultFactory results, RetrySchedule schedule, Clock clock) {
        this.results = results;
        this.schedule = schedule;
        this.clock = clock;
    }

    /** A request whose id already completed: its original result again, and nothing sent. */
    public Decision replay(DeliveryResult original) {
        return new Decision(original, null);
    }

    /** The first attempt at a record consumed from the request topic, received now. */
    public Attempt firstAttempt(String key, String topic, int partition, long offset, byte[] requestJson) {
        return Attempt.ofRecord(key, topic, partition, offset, requestJson, results.now());
    }

    /** The next attempt at a deferred request: what the earlier ones left behind comes with it. */
    public Attempt nextAttempt(RetryQueue.Due due) {
        return new Attempt(null, due.record().id(), due.request(), due.record().state());
    }

    /**
     * Settles the pending recipients that are on the suppression list as SUPPRESSED, so the envelope leaves them
     * out. Every attempt checks again: a retry sends nothing to an address suppressed since the last attempt.
     *
     * @throws NoRecipientLeftException when no recipient is left to send to
     */
    public void settleSuppressed(Attempt attempt) {
        Set<String> suppressed = attempt.suppressedRecipients();
        if (suppressed.isEmpty()) {
            return;
        }
        MailRequest request = attempt.request();
        RetryState state = attempt.retryState();
        List<Recipient> settled = new ArrayList<>(state.settled());
        List<String> pending = new ArrayList<>();
        for (String address : pending(request, state)) {
            if (suppressed.contains(Suppression.normalize(address))) {
                settled.add(new Recipient(address, Status.SUPPRESSED, null, null, null));
            } else {
                pending.add(address);
            }
        }
        RetryState next = new RetryState(state.attempts(), state.receivedAt(), settled, pending,
                state.unknownOutcomeResent());
        attempt.setRetryState(next);
        if (pending.isEmpty()) {
            throw new NoRecipientLeftException(next);
        }
    }

    /** The relay took the message for some recipients; others may be deferred (4xx at RCPT). */
    public Decision afterSubmission(SubmissionOutcome outcome, Attempt attempt) {
        MailRequest request = attempt.request();
        RetryState state = attempt.retryState();
        int attempts = state.attempts() + 1;
        DeliveryResult sent = results.sent(request, outcome, attempts, state.receivedAt());
        List<Recipient> settled = new ArrayList<>(state.settled());
        List<String> pending = new ArrayList<>();
        for (Recipient recipient : sent.recipients()) {
            if (recipient.status() == Status.DEFERRED) {
                pending.add(recipient.address());
            } else {
                settled.add(recipient);
            }
        }
        if (pending.isEmpty()) {
            return new Decision(terminal(sent, settled, attempts, null), null);
        }
        return deferOrExpire(sent, request, attempt.requestJson(), state, attempts, settled, pending,
                new Reason("relay-unavailable", "the relay deferred " + pending.size() + " recipient(s)"), false);
    }

    /** The attempt failed as a whole, or the request never got as far as the relay. */
    public Decision afterFailure(Exception failure, Object body, Attempt attempt) {
        MailRequest request = attempt.request();
        RetryState state = attempt.retryState();
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof NoRecipientLeftException nothingLeft) {
                return new Decision(withoutSubmission(request, nothingLeft.state()), null);
            }
        }
        DeliveryResult failed = results.failed(failure, body, submitted(failure) ? 1 : 0, request,
                attempt.fallbackId(), state.receivedAt());
        if (request == null || failed.status() == Status.REJECTED) {
            return new Decision(failed, null);
        }
        int attempts = state.attempts() + (failed.attempt() == null ? 0 : failed.attempt());
        List<Recipient> settled = new ArrayList<>(state.settled());
        if (failed.recipients() != null) {
            failed.recipients().stream().filter(r -> r.status() != Status.DEFERRED).forEach(settled::add);
        }
        if (!(failure instanceof SmtpTransientException) && !deferredProfileLookup(failure)) {
            // Permanent: whatever is still pending is refused with this reply.
            List<Recipient> all = new ArrayList<>(settled);
            Set<String> done = addresses(settled);
            for (String address : pending(request, state)) {
                if (!done.contains(normalize(address))) {
                    all.add(new Recipient(address, Status.FAILED, failed.smtp() == null ? null : failed.smtp().code(),
                            failed.smtp() == null ? null : failed.smtp().enhancedStatus(), null));
                }
            }
            return new Decision(terminal(failed, all, attempts, failed.reason()), null);
        }
        List<String> pending = new ArrayList<>();
        Set<String> done = addresses(settled);
        for (String address : pending(request, state)) {
            if (!done.contains(normalize(address))) {
                pending.add(address);
            }
        }
        if (pending.isEmpty()) {
            return new Decision(terminal(failed, settled, attempts, failed.reason()), null);
        }
        boolean unknown = failure instanceof SmtpUnknownOutcomeException;
        if (unknown && state.unknownOutcomeResent()) {
            // Sent twice already without a confirmation: a third copy is not worth the risk.
            List<Recipient> all = new ArrayList<>(settled);
            pending.forEach(a -> all.add(new Recipient(a, Status.FAILED, null, null, null)));
            return new Decision(terminal(failed, all, attempts, new Reason("unknown-outcome",
                    "the relay confirmed neither attempt; the message may have been delivered")), null);
        }
        Reason reason = unknown
                ? new Reason("unknown-outcome", "no reply after the message was sent; it is sent once more with the"
                        + " same Message-ID, so a recipient may get two copies")
                : failed.reason();
        return deferOrExpire(failed, request, attempt.requestJson(), state, attempts, settled, pending, reason,
                unknown || state.unknownOutcomeResent());
    }

    /**
     * Whether the failure came from handing the message to the relay; a tenant's or relay's rate limit defers a
     * request before that, and a fault of the gateway is no attempt either.
     */
    private static boolean submitted(Exception failure) {
        Throwable cause = failure;
        while (cause instanceof RuntimeCamelException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause instanceof SmtpSubmissionException && !(cause instanceof RateLimitedException);
    }

    /**
     * The result of a request with no recipient left to send to: SUPPRESSED when every recipient is suppressed,
     * else what earlier attempts add up to (SENT when any recipient was accepted).
     */
    private DeliveryResult withoutSubmission(MailRequest request, RetryState state) {
        List<Recipient> recipients = state.settled();
        int attempts = state.attempts();
        String messageId = attempts > 0 && request.from() != null
                ? MessageIds.forRequest(request.id(), request.from().address()) : null;
        DeliveryResult suppressed = new DeliveryResult(request.id(), Status.SUPPRESSED, true, messageId,
                attempts == 0 ? null : attempts, null, recipients,
                new Reason("suppressed", "every recipient is on the suppression list"), request.tags(), null,
                state.receivedAt(), results.now());
        if (recipients.stream().allMatch(r -> r.status() == Status.SUPPRESSED)) {
            return suppressed;
        }
        return terminal(suppressed, recipients, attempts,
                new Reason("recipient-rejected", "the relay refused every recipient that is not suppressed"));
    }

    /** A profile lookup that failed with GATEWAY_PROFILE_ON_FAILURE=defer: the whole request is tried again later. */
    private static boolean deferredProfileLookup(Exception failure) {
        Throwable cause = failure;
        while (cause instanceof RuntimeCamelException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause instanceof ProfileLookupException profile && profile.deferred();
    }

    private Decision deferOrExpire(DeliveryResult attempt, MailRequest request, byte[] requestJson, RetryState state,
            int attempts, List<Recipient> settled, List<String> pending, Reason reason, boolean unknownOutcomeResent) {
        Instant now = clock.instant();
        Optional<Instant> next = schedule.next(attempts, Instant.parse(state.receivedAt()), now);
        if (next.isEmpty()) {
            List<Recipient> all = new ArrayList<>(settled);
            pending.forEach(a -> all.add(new Recipient(a, Status.EXPIRED, null, null, null)));
            Reason expired = new Reason("expired", "no attempt succeeded within the maximum age; last: " + reason.detail());
            return new Decision(terminal(attempt, all, attempts, expired, Status.EXPIRED), null);
        }
        List<Recipient> all = new ArrayList<>(settled);
        pending.forEach(a -> all.add(new Recipient(a, Status.DEFERRED, attempt.smtp() == null ? null : attempt.smtp().code(),
                attempt.smtp() == null ? null : attempt.smtp().enhancedStatus(), null)));
        DeliveryResult progress = new DeliveryResult(attempt.id(), Status.DEFERRED, false, attempt.messageId(), attempts,
                attempt.smtp(), all, new Reason(reason.category(), reason.detail() + "; next attempt at " + next.get()),
                attempt.tags(), null, attempt.receivedAt(), attempt.completedAt());
        RetryState nextState = new RetryState(attempts, state.receivedAt(), settled, pending, unknownOutcomeResent);
        return new Decision(progress, new RetryRecord(request.id(), withTenant(json(requestJson), request), nextState,
                next.get().toString()));
    }

    private static DeliveryResult terminal(DeliveryResult attempt, List<Recipient> recipients, int attempts, Reason reason) {
        return terminal(attempt, recipients, attempts, reason, Status.FAILED);
    }

    /** SENT when any recipient was accepted by any attempt, else the given failure status. */
    private static DeliveryResult terminal(DeliveryResult attempt, List<Recipient> recipients, int attempts, Reason reason,
            Status otherwise) {
        boolean anySent = recipients.stream().anyMatch(r -> r.status() == Status.SENT);
        Reason finalReason = anySent ? null : reason != null ? reason
                : new Reason("recipient-rejected", "the relay refused every recipient");
        return new DeliveryResult(attempt.id(), anySent ? Status.SENT : otherwise, true, attempt.messageId(),
                attempts == 0 ? null : attempts, attempt.smtp(), recipients, finalReason, attempt.tags(), null,
                attempt.receivedAt(), attempt.completedAt());
    }

    private static List<String> pending(MailRequest request, RetryState state) {
        if (state.pending() != null) {
            return state.pending();
        }
        Set<String> all = new LinkedHashSet<>();
        Stream.of(request.to(), request.cc(), request.bcc()).flatMap(List::stream).map(MailAddress::address).forEach(all::add);
        return List.copyOf(all);
    }

    private static Set<String> addresses(List<Recipient> recipients) {
        Set<String> set = new java.util.HashSet<>();
        recipients.forEach(r -> set.add(normalize(r.address())));
        return set;
    }

    private static String normalize(String address) {
        return address.toLowerCase(Locale.ROOT);
    }

    // The tenant a request was bound to by its topic goes with its retries: the retry topic names no tenant, and a
    // retried request is not judged by the topic it comes back from.
    private static JsonNode withTenant(JsonNode requestJson, MailRequest request) {
        String tenant = request.tags().get("tenant");
        if (tenant == null || !(requestJson instanceof ObjectNode object)
                || tenant.equals(object.path("tags").path("tenant").textValue())) {
            return requestJson;
        }
        ObjectNode tags = object.get("tags") instanceof ObjectNode existing ? existing : object.putObject("tags");
        tags.put("tenant", tenant);
        return object;
    }

    private static JsonNode json(byte[] requestJson) {
        try {
            return JSON.readTree(requestJson);
        } catch (IOException e) {
            throw new IllegalStateException("a parsed request is always JSON", e);
        }
    }
}
