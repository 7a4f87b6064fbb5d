package io.mailgateway.config;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;
import java.util.Properties;

import org.apache.camel.component.mail.MailEndpoint;

import io.mailgateway.bounce.BounceIntake;
import io.mailgateway.bounce.MailboxLease;
import io.mailgateway.bounce.ReportLedger;
import io.mailgateway.events.EventPublisher;
import io.mailgateway.idempotency.CompletedRequests;
import io.mailgateway.returnpath.ReturnPaths;
import io.mailgateway.suppress.SuppressionList;
import io.mailgateway.tls.RelayTrust;

/**
 * The bounce mailbox's endpoint, the intake behind its route and the lease that lets one instance read it: see
 * {@link BounceMailboxSettings} for the settings.
 */
final class BounceMailboxConfiguration {

    /** The route that reads the mailbox; only the lease starts it. */
    static final String ROUTE_ID = "bounce-mailbox";

    private BounceMailboxConfiguration() {
    }

    static void bind(Wiring wiring, BounceMailboxSettings settings, KafkaSettings kafka, Topics topics,
            CompletedRequests completedRequests, SuppressionList suppressionList, EventPublisher events,
            ReturnPaths returnPaths, BounceIntake.ReportReader reader, Clock clock) throws Exception {
        ReportLedger ledger = new ReportLedger(clock, settings.softBounceDays());
        wiring.bind("bounceIntake", new BounceIntake(reader, returnPaths, completedRequests, events, suppressionList,
                ledger, settings.softBounceLimit(), settings.handledFolder(), settings.unclassifiedFolder(),
                outcome -> wiring.metrics().bounceReport(outcome.name().toLowerCase(Locale.ROOT)), clock));
        if (settings.mailbox().isEmpty()) {
            // The route exists either way, and only the lease starts it: without a mailbox there is none, and a
            // placeholder keeps the route resolvable.
            wiring.bind("bounceMailbox", wiring.context().getEndpoint("direct:bounce-mailbox-off"));
            return;
        }
        wiring.bind("bounceMailbox", endpoint(wiring, settings.mailbox().get(), settings));
        MailboxLease lease = new MailboxLease(kafka.clients(), topics.events(), topics.groupId() + "-bounce-mailbox",
                ROUTE_ID, ledger, settings.softBounceDays(), clock);
        wiring.bind("bounceMailboxLease", lease);
        wiring.startOnceStarted(lease);
        wiring.registerWhenStarted(lease.healthCheck());
    }

    private static MailEndpoint endpoint(Wiring wiring, BounceMailboxSettings.Mailbox mailbox,
            BounceMailboxSettings settings) throws Exception {
        String scheme = mailbox.imaps() ? "imaps" : "imap";
        MailEndpoint endpoint = wiring.context().getEndpoint(scheme + "://" + mailbox.host() + ":" + mailbox.port(),
                MailEndpoint.class);
        endpoint.setDelay(settings.pollDelay().toMillis());
        endpoint.setMaxMessagesPerPoll(100);
        // A mailbox that cannot be reached is polled less and less often instead of filling the log.
        endpoint.setBackoffErrorThreshold(3);
        endpoint.setBackoffMultiplier(10);
        var configuration = endpoint.getConfiguration();
        configuration.setFolderName(mailbox.folder());
        // Credentials are set here, not in the URI, so that no log line that names the endpoint shows them.
        configuration.setUsername(mailbox.username());
        configuration.setPassword(mailbox.password());
        // The raw message is what the report parser reads; every message is read, seen or not, and only moved.
        configuration.setMapMailMessage(false);
        configuration.setUnseen(false);
        configuration.setDelete(false);
        // No default folder: the route's moveTo header names one, and none (a report whose request is not recorded
        // yet) leaves the message where it is, to be read again at the next poll.
        configuration.setMoveTo(null);
        if (mailbox.imaps()) {
            Path trust = mailbox.trustCaFile();
            Properties properties = new Properties();
            properties.put("mail.imaps.ssl.socketFactory",
                    RelayTrust.sslContext(trust, "GATEWAY_BOUNCE_MAILBOX_TRUST_CA_FILE").getSocketFactory());
            properties.put("mail.imaps.ssl.checkserveridentity", "true");
            configuration.setAdditionalJavaMailProperties(properties);
        }
        return endpoint;
    }
}
