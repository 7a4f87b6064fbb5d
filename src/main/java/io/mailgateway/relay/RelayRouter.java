package io.mailgateway.relay;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mailgateway.tenant.Tenant;
import io.mailgateway.tenant.Tenants;

import io.mailgateway.returnpath.ReturnPaths;
import io.mailgateway.smtp.Envelope;
import io.mailgateway.smtp.GatewayMailSender;
import io.mailgateway.smtp.RecipientOutcome;
import io.mailgateway.smtp.RelayProbe;
import io.mailgateway.smtp.RelayUnreachableException;
import io.mailgateway.smtp.ReturnPathPlan;
import io.mailgateway.smtp.SmtpPermanentException;
import io.mailgateway.smtp.SmtpReply;
import io.mailgateway.smtp.SmtpSubmissionException;
import io.mailgateway.smtp.SmtpTransientException;
import io.mailgateway.smtp.SmtpUnknownOutcomeException;
import io.mailgateway.smtp.SubmissionOutcome;

/**
 * Submits each message through the relays its tenant or its recipients' domains select, fails over to the next relay
 * of a list when one is unreachable, and merges the relays' answers into one outcome per recipient. A message whose
 * recipients go to different relays is submitted once per relay with the same MIME message (same Message-ID) and
 * that relay's part of the envelope.
 */
public final class RelayRouter implements RelayProbe {

    private static final Logger LOG = LoggerFactory.getLogger(RelayRouter.class);

    private final Map<String, GatewayMailSender> senders;
    private final RelaySelection selection;
    private final BiConsumer<String, String> failovers;
    private final boolean named;
    private final ReturnPaths returnPaths;
    private final Tenants tenants;
    private final RelayRateLimits rateLimits;
    // Relays that refused the gateway (AUTH, TLS) and are probed until they accept it again.
    private final Set<String> refusing = Collections.synchronizedSet(new LinkedHashSet<>());
    private volatile Consumer<SmtpSubmissionException> refusalListener = refusal -> { };

    /**
     * @param senders   one pooled sender per relay name, the default relay among them
     * @param failovers told (from, to) each time a submission moves on to the next relay
     */
    public RelayRouter(Map<String, GatewayMailSender> senders, RelaySelection selection,
            BiConsumer<String, String> failovers) {
        this(senders, selection, failovers, ReturnPaths.off(), Tenants.none());
    }

    /**
     * @param returnPaths the VERP return paths; each recipient gets its own transaction when one applies
     * @param tenants     for the bounce domain a tenant names
     */
    public RelayRouter(Map<String, GatewayMailSender> senders, RelaySelection selection,
            BiConsumer<String, String> failovers, ReturnPaths returnPaths, Tenants tenants) {
        this(senders, selection, failovers, returnPaths, tenants, RelayRateLimits.none());
    }

    /** @param rateLimits the relays' send-rate limits: a submission waits for its relay's permit, else is deferred */
    public RelayRouter(Map<String, GatewayMailSender> senders, RelaySelection selection,
            BiConsumer<String, String> failovers, ReturnPaths returnPaths, Tenants tenants,
            RelayRateLimits rateLimits) {
        if (!senders.containsKey(Relay.DEFAULT)) {
            throw new IllegalArgumentException("the default relay is missing");
        }
        this.senders = Collections.unmodifiableMap(new LinkedHashMap<>(senders));
        this.selection = selection;
        this.failovers = failovers;
        // With the default relay alone, messages and results read exactly as without relay names.
        this.named = senders.size() > 1;
        this.returnPaths = returnPaths;
        this.tenants = tenants;
        this.rateLimits = rateLimits;
    }

    /**
     * Told about a relay that refused the gateway after other recipients of the same message were already accepted
     * elsewhere: the message is not failed, its remaining recipients are deferred, and consumption should wait.
     */
    public void onRefusal(Consumer<SmtpSubmissionException> listener) {
        this.refusalListener = listener;
    }

    /**
     * Submits the message and returns the relays' answer for every recipient of this submission.
     *
     * @param tenant  the request's tenant ({@code tags.tenant}), or null; its relays, when it names any, take the mail
     * @param pending the recipients still to be sent to (a retry), or null for every recipient the message names
     */
    public SubmissionOutcome submitFor(MimeMessage message, String tenant, List<String> pending)
            throws MessagingException {
        return submitFor(message, tenant, pending, null);
    }

    /**
     * Submits the message for this submission (the route passes the attempt) and returns the relays' answer for
     * every recipient it names; with VERP, each recipient's copy carries a return path that names the request.
     */
    public SubmissionOutcome submit(MimeMessage message, Submission submission) throws MessagingException {
        return submitFor(message, submission.tenant(), submission.pending(), submission.requestId());
    }

    /**
     * Submits the message and returns the relays' answer for every recipient of this submission; with VERP, each
     * recipient's copy carries a return path that names this request and recipient.
     *
     * @param requestId the request's id, which the return paths and DSN's envelope id name; null: no VERP
     */
    public SubmissionOutcome submitFor(MimeMessage message, String tenant, List<String> pending, String requestId)
            throws MessagingException {
        List<InternetAddress> envelope = Envelope.of(message, pending);
        ReturnPathPlan plan = returnPathPlan(requestId, tenant, envelope);
        List<RelayGroup> groups = selection.groups(tenant, envelope);
        return groups.size() == 1 ? submit(groups.get(0), message, plan) : submitEach(groups, message, plan);
    }

    private ReturnPathPlan returnPathPlan(String requestId, String tenant, List<InternetAddress> envelope) {
        if (requestId == null || !returnPaths.enabled()) {
            return ReturnPathPlan.NONE;
        }
        String bounceDomain = tenant == null ? null
                : tenants.find(tenant).map(Tenant::bounceDomain).orElse(null);
        Map<String, String> byRecipient = new LinkedHashMap<>();
        for (InternetAddress recipient : envelope) {
            returnPaths.returnPath(requestId, recipient.getAddress(), bounceDomain)
                    .ifPresent(path -> byRecipient.put(recipient.getAddress(), path));
        }
        return byRecipient.isEmpty() ? ReturnPathPlan.NONE : new ReturnPathPlan(requestId, byRecipient);
    }

    /** Each group through its relays; one outcome for every recipient, as if one relay had answered. */
    private SubmissionOutcome submitEach(List<RelayGroup> groups, MimeMessage message, ReturnPathPlan plan)
            throws MessagingException {
        List<RecipientOutcome> recipients = new ArrayList<>();
        SmtpReply acceptedReply = null;
        List<Failed> failures = new ArrayList<>();
        for (RelayGroup group : groups) {
            try {
                SubmissionOutcome outcome = submit(group, message, plan);
                recipients.addAll(outcome.recipients());
                if (outcome.recipients().stream().anyMatch(RecipientOutcome::accepted)) {
                    acceptedReply = outcome.reply();
                }
            } catch (SmtpSubmissionException e) {
                if (isRefusal(e)) {
                    if (acceptedReply == null) {
                        // Nothing was delivered yet: the whole message waits until the relay accepts the gateway.
                        throw e;
                    }
                    refusalListener.accept(e);
                }
                failures.add(new Failed(group, e));
            }
        }
        if (acceptedReply != null) {
            // Some relay took the message: the others' recipients are settled or deferred one by one.
            failures.forEach(f -> recipients.addAll(f.recipientOutcomes(true)));
            return new SubmissionOutcome(acceptedReply, recipients);
        }
        throw combined(failures, recipients);
    }

    /** No relay took the message: one failure that says, per recipient, what is settled and what is pending. */
    private static SmtpSubmissionException combined(List<Failed> failures, List<RecipientOutcome> refusedAtRcpt) {
        List<RecipientOutcome> recipients = new ArrayList<>(refusedAtRcpt);
        failures.forEach(f -> recipients.addAll(f.recipientOutcomes(false)));
        String detail = String.join("; ", failures.stream().map(f -> f.failure().getMessage()).toList());
        for (Failed f : failures) {
            if (f.failure() instanceof SmtpUnknownOutcomeException) {
                return new SmtpUnknownOutcomeException(detail, recipients, f.failure());
            }
        }
        for (Failed f : failures) {
            if (f.failure() instanceof SmtpTransientException transientFailure) {
                SmtpReply reply = transientFailure.reply();
                return new SmtpTransientException(detail, reply, recipients, transientFailure);
            }
        }
        SmtpSubmissionException first = failures.get(0).failure();
        return new SmtpPermanentException(first.category(), detail, first.reply(), recipients, first);
    }

    /** A group whose relays did not take the message. */
    private record Failed(RelayGroup group, SmtpSubmissionException failure) {

        /**
         * What each recipient of the group gets: its own refusal at RCPT when it had one, else the group's fate as
         * a reply (a 4xx for what is retried, a 5xx for what failed for good).
         *
         * @param includeDeferred also list the recipients to retry (they are pending anyway when nothing was sent)
         */
        List<RecipientOutcome> recipientOutcomes(boolean includeDeferred) {
            boolean retried = failure instanceof SmtpTransientException || isRefusal(failure);
            SmtpReply fate = failure.reply() != null && (retried ? failure.reply().transientFailure()
                    : failure.reply().code() >= 500) ? failure.reply()
                    : SmtpReply.parse(retried ? 451 : 554, (retried ? "451 4.4.0 " : "554 5.0.0 ") + failure.getMessage());
            List<RecipientOutcome> outcomes = new ArrayList<>();
            for (InternetAddress address : group.envelope()) {
                RecipientOutcome own = failure.recipients().stream()
                        .filter(o -> o.address().equalsIgnoreCase(address.getAddress()) && !o.accepted())
                        .findFirst().orElse(null);
                if (own != null && (includeDeferred || !own.reply().transientFailure())) {
                    outcomes.add(own);
                } else if (own == null && (includeDeferred || !retried)) {
                    outcomes.add(new RecipientOutcome(address.getAddress(), fate));
                }
            }
            return outcomes;
        }
    }

    /** Through the group's relays in order, moving on only while a relay is unreachable. */
    private SubmissionOutcome submit(RelayGroup group, MimeMessage message, ReturnPathPlan plan)
            throws MessagingException {
        List<String> unreachable = new ArrayList<>();
        RelayUnreachableException last = null;
        for (int i = 0; i < group.relays().size(); i++) {
            String name = group.relays().get(i);
            try {
                // A relay at its limit defers the group rather than moving it on: see RelayRateLimits.
                rateLimits.acquire(name);
                return senders.get(name).submit(message, group.envelope(), plan);
            } catch (RelayUnreachableException e) {
                last = e;
                unreachable.add(name);
                if (i + 1 < group.relays().size()) {
                    String next = group.relays().get(i + 1);
                    LOG.warn("Relay '{}' is unreachable ({}); trying relay '{}'", name, e.getMessage(), next);
                    failovers.accept(name, next);
                }
            } catch (SmtpPermanentException e) {
                if (isRefusal(e)) {
                    refusing.add(name);
                    throw named ? new SmtpPermanentException(e.category(), "relay '" + name + "': " + e.getMessage(),
                            e.reply(), e.recipients(), e) : e;
                }
                throw e;
            }
        }
        if (group.relays().size() == 1) {
            throw last;
        }
        LOG.warn("No relay of {} is reachable; the recipients are deferred", unreachable);
        throw new RelayUnreachableException("no relay is reachable (" + String.join(", ", unreachable) + "); last: "
                + last.getMessage(), last.reply(), last);
    }

    private static boolean isRefusal(SmtpSubmissionException e) {
        return e instanceof SmtpPermanentException
                && ("auth-failed".equals(e.category()) || "tls-failed".equals(e.category()));
    }

    /** Probes the relays that refused the gateway (the default relay when none did); throws while one still does. */
    @Override
    public void probe() throws SmtpSubmissionException {
        List<String> names;
        synchronized (refusing) {
            names = refusing.isEmpty() ? List.of(Relay.DEFAULT) : List.copyOf(refusing);
        }
        for (String name : names) {
            try {
                senders.get(name).probe();
            } catch (SmtpSubmissionException e) {
                throw named ? new SmtpPermanentException(e.category(), "relay '" + name + "': " + e.getMessage(),
                        e.reply(), e.recipients(), e) : e;
            }
            refusing.remove(name);
        }
    }

    /** The sender of one relay, e.g. to read its pool's state. */
    public GatewayMailSender sender(String relay) {
        return senders.get(relay);
    }

    public Set<String> relays() {
        return senders.keySet();
    }
}
