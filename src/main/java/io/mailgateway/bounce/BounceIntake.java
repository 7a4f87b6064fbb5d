package io.mailgateway.bounce;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mailgateway.bounce.DeliveryReport.ReportedRecipient;
import io.mailgateway.events.DeliveryEvent;
import io.mailgateway.events.DeliveryEvent.Bounce;
import io.mailgateway.events.DeliveryEvent.BounceType;
import io.mailgateway.events.DeliveryEvent.Complaint;
import io.mailgateway.events.DeliveryEvent.Source;
import io.mailgateway.events.DeliveryEvent.SourceKind;
import io.mailgateway.events.EventPublisher;
import io.mailgateway.idempotency.CompletedRequests;
import io.mailgateway.result.DeliveryResult;
import io.mailgateway.returnpath.ReturnPaths;
import io.mailgateway.returnpath.ReturnPaths.Token;
import io.mailgateway.suppress.Suppression;
import io.mailgateway.suppress.SuppressionList;

/**
 * Turns one message of the bounce mailbox into delivery events and suppression entries, and says which folder it
 * goes to: the handled folder once its events are published, the unclassified folder when it is no report or names
 * no request this gateway sent. Only a failure to publish or suppress throws, so that the message stays and is read
 * again; nothing about the message itself can make it be read for ever.
 *
 * <p>A report can come back before the result of its request is recorded: a next hop that refuses at once, on a
 * relay close by, returns the report within a second of the 250, while the sending instance is still recording the
 * result, or another instance has not yet followed that record. A report whose return path is the gateway's but
 * whose request is not known yet is therefore left in place (no folder) and read again at the next poll, for up to
 * {@link #MATCH_GRACE} after it arrived; only then is it filed as unmatched.
 */
public class BounceIntake {

    /** Parses a message of the bounce mailbox. */
    @FunctionalInterface
    public interface ReportReader {
        DeliveryReport read(MimeMessage message) throws Exception;
    }

    /** What became of a message, as counted in the metrics. */
    public enum Outcome {
        /** Its events were published (or had been already). */
        HANDLED,
        /** A report, but about nothing the gateway tracks (deliveries, relays): nothing to publish. */
        IGNORED,
        /** Not a report the parser could read. */
        UNCLASSIFIED,
        /** A report, but its return path names no request or recipient of this gateway (forged, stale, foreign). */
        UNMATCHED,
        /** A report to a return path of the gateway whose request is not recorded yet: read again at the next poll. */
        PENDING
    }

    /** How long after it arrived a report whose request is not recorded yet is read again before it is unmatched. */
    public static final Duration MATCH_GRACE = Duration.ofMinutes(10);

    private static final Logger LOG = LoggerFactory.getLogger(BounceIntake.class);

    private final ReportReader reader;
    private final ReturnPaths returnPaths;
    private final CompletedRequests completedRequests;
    private final EventPublisher events;
    private final SuppressionList suppressions;
    private final ReportLedger ledger;
    private final int softBounceLimit;
    private final String handledFolder;
    private final String unclassifiedFolder;
    private final Consumer<Outcome> counter;
    private final Clock clock;

    public BounceIntake(ReportReader reader, ReturnPaths returnPaths, CompletedRequests completedRequests,
            EventPublisher events, SuppressionList suppressions, ReportLedger ledger, int softBounceLimit,
            String handledFolder, String unclassifiedFolder, Consumer<Outcome> counter, Clock clock) {
        this.reader = reader;
        this.returnPaths = returnPaths;
        this.completedRequests = completedRequests;
        this.events = events;
        this.suppressions = suppressions;
        this.ledger = ledger;
        this.softBounceLimit = softBounceLimit;
        this.handledFolder = handledFolder;
        this.unclassifiedFolder = unclassifiedFolder;
        this.counter = counter;
        this.clock = clock;
    }

    /** Handles one message of the mailbox and returns the folder to move it to, or null to leave it in place. */
    public String handle(Message message) {
        Outcome outcome = outcome(message);
        counter.accept(outcome);
        return switch (outcome) {
            case HANDLED, IGNORED -> handledFolder;
            case PENDING -> null;
            case UNCLASSIFIED, UNMATCHED -> unclassifiedFolder;
        };
    }

    Outcome outcome(Message message) {
        DeliveryReport report;
        try {
            report = reader.read((MimeMessage) message);
        } catch (Exception e) {
            LOG.info("A message of the bounce mailbox is not a report that can be read ({}); it goes to {}",
                    e.getClass().getSimpleName(), unclassifiedFolder);
            return Outcome.UNCLASSIFIED;
        }
        if (report == null || report.kind() == DeliveryReport.Kind.UNCLASSIFIED || report.recipients().isEmpty()) {
            LOG.info("A message of the bounce mailbox is no delivery report or complaint; it goes to {}",
                    unclassifiedFolder);
            return Outcome.UNCLASSIFIED;
        }
        Optional<Token> token = returnPaths.parse(report.returnPath());
        Optional<DeliveryResult> result = token.flatMap(t -> completedRequests.resultByIdHash(t.requestIdHash()));
        if (token.isPresent() && result.isEmpty() && arrivedWithinGrace(message, clock.instant())) {
            LOG.debug("A {} report (Message-ID {}) names a request not recorded yet; it is read again at the next poll",
                    report.kind(), report.reportMessageId());
            return Outcome.PENDING;
        }
        Optional<String> recipient = result.flatMap(r -> recipientOf(token.get(), r, report));
        if (recipient.isEmpty()) {
            // The token is not logged: it is only useful to whoever would forge one.
            LOG.info("A {} report (Message-ID {}) names no request or recipient of this gateway ({}); it goes to {}",
                    report.kind(), report.reportMessageId(), token.isEmpty() ? "no return path of the gateway"
                            : result.isEmpty() ? "no such request within the idempotency window"
                                    : "the return path's tag does not verify", unclassifiedFolder);
            return Outcome.UNMATCHED;
        }
        List<DeliveryEvent> found = events(report, result.get(), recipient.get(), sentAt(message));
        if (found.isEmpty()) {
            return Outcome.IGNORED;
        }
        for (DeliveryEvent event : found) {
            publishOnce(event);
            suppress(event);
        }
        return Outcome.HANDLED;
    }

    private void publishOnce(DeliveryEvent event) {
        if (ledger.published(event)) {
            return;
        }
        events.publish(event);
        ledger.remember(event);
        if (event.bounce() != null && event.event() == DeliveryEvent.Type.BOUNCED
                && event.bounce().type() == BounceType.SOFT
                && ledger.countSoftBounce(event.recipient(), clock.millis()) >= softBounceLimit) {
            suppressions.addUnlessAllMailSuppressed(entry(event, Suppression.SOFT_BOUNCES));
            ledger.forgetSoftBounces(event.recipient());
        }
    }

    private void suppress(DeliveryEvent event) {
        if (event.event() == DeliveryEvent.Type.COMPLAINED) {
            suppressions.addUnlessAllMailSuppressed(entry(event, Suppression.COMPLAINT));
        } else if (event.event() == DeliveryEvent.Type.BOUNCED && event.bounce().type() == BounceType.HARD) {
            suppressions.addUnlessAllMailSuppressed(entry(event, Suppression.HARD_BOUNCE));
        }
    }

    private Suppression entry(DeliveryEvent event, String reason) {
        String tenant = event.tags() == null ? null : event.tags().get("tenant");
        String source = event.event() + " of request " + event.id()
                + (event.source().reportMessageId() == null ? "" : ", report " + event.source().reportMessageId());
        return new Suppression(event.recipient(), reason, tenant, clock.instant(), null, source);
    }

    /** The recipient the return path was made for: the token's tag proves it, among those the request had. */
    private Optional<String> recipientOf(Token token, DeliveryResult result, DeliveryReport report) {
        Set<String> candidates = new LinkedHashSet<>();
        if (result.recipients() != null) {
            result.recipients().forEach(r -> candidates.add(r.address()));
        }
        report.recipients().forEach(r -> {
            if (r.recipient() != null) {
                candidates.add(r.recipient());
            }
        });
        return candidates.stream().filter(address -> returnPaths.matches(token, result.id(), address)).findFirst();
    }

    private List<DeliveryEvent> events(DeliveryReport report, DeliveryResult result, String recipient,
            String occurredAt) {
        // A report to a VERP return path is about that one recipient, even when a forwarder renamed the address.
        List<ReportedRecipient> lines = report.recipients().stream()
                .filter(line -> line.recipient() != null && line.recipient().equalsIgnoreCase(recipient)).toList();
        if (lines.isEmpty()) {
            lines = report.recipients();
        }
        Source source = new Source(sourceKind(report.kind()), report.reportMessageId());
        Map<String, String> tags = result.tags();
        String receivedAt = clock.instant().toString();
        List<DeliveryEvent> events = new ArrayList<>();
        Set<DeliveryEvent.Type> seen = new LinkedHashSet<>();
        for (ReportedRecipient line : lines) {
            DeliveryEvent.Type type = type(line.action());
            if (type == null || !seen.add(type)) {
                continue;
            }
            Bounce bounce = type == DeliveryEvent.Type.BOUNCED || type == DeliveryEvent.Type.DELAYED
                    ? new Bounce(bounceType(line), line.status(), line.remoteMta(), line.diagnostic()) : null;
            Complaint complaint = type == DeliveryEvent.Type.COMPLAINED
                    ? new Complaint(report.feedbackType() == null ? "abuse" : report.feedbackType()) : null;
            events.add(new DeliveryEvent(result.id(), type, recipient, result.messageId(), bounce, complaint, source,
                    tags, occurredAt, receivedAt));
        }
        return events;
    }

    private static DeliveryEvent.Type type(DeliveryReport.Action action) {
        if (action == null) {
            return null;
        }
        return switch (action) {
            case FAILED -> DeliveryEvent.Type.BOUNCED;
            case DELAYED -> DeliveryEvent.Type.DELAYED;
            case COMPLAINED -> DeliveryEvent.Type.COMPLAINED;
            default -> null;
        };
    }

    /** Hard when the server refused for good (a 5.x.x status); a failure without a status counts as hard too. */
    private static BounceType bounceType(ReportedRecipient line) {
        if (line.action() == DeliveryReport.Action.DELAYED) {
            return BounceType.SOFT;
        }
        return line.status() == null || line.status().startsWith("5") ? BounceType.HARD : BounceType.SOFT;
    }

    private static SourceKind sourceKind(DeliveryReport.Kind kind) {
        return switch (kind) {
            case ARF -> SourceKind.ARF;
            case TEXT -> SourceKind.TEXT;
            default -> SourceKind.DSN;
        };
    }

    // The mailbox's arrival time (IMAP INTERNALDATE), else the report's Date; a date too far ahead counts as none, so
    // that no report is read again for ever.
    static boolean arrivedWithinGrace(Message message, Instant now) {
        Instant arrived;
        try {
            arrived = message.getReceivedDate() != null ? message.getReceivedDate().toInstant()
                    : message.getSentDate() != null ? message.getSentDate().toInstant() : null;
        } catch (MessagingException e) {
            return false;
        }
        if (arrived == null) {
            return false;
        }
        Duration age = Duration.between(arrived, now);
        return age.compareTo(MATCH_GRACE) < 0 && age.compareTo(MATCH_GRACE.negated()) > 0;
    }

    private static String sentAt(Message message) {
        try {
            return message.getSentDate() == null ? null : message.getSentDate().toInstant().toString();
        } catch (MessagingException e) {
            return null;
        }
    }
}
