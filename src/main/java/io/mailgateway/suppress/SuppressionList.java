package io.mailgateway.suppress;

import static io.mailgateway.kafka.CompactedTopicFollower.location;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.apache.camel.health.HealthCheck;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mailgateway.attempt.Attempt;
import io.mailgateway.background.BackgroundHealthCheck;
import io.mailgateway.background.BackgroundService;
import io.mailgateway.kafka.CompactedTopicFollower;
import io.mailgateway.kafka.FollowerSettings;
import io.mailgateway.kafka.KafkaClients;
import io.mailgateway.kafka.KeyIndex;
import io.mailgateway.kafka.PoisonRecordException;
import io.mailgateway.kafka.RecordReader;
import io.mailgateway.request.MailAddress;
import io.mailgateway.request.MailRequest;
import io.mailgateway.result.DeliveryResult;
import io.mailgateway.result.DeliveryResult.Recipient;
import io.mailgateway.result.DeliveryResult.Status;

/**
 * The addresses the gateway must not send to. The list lives in a compacted Kafka topic keyed by normalised
 * address (a tenant's unsubscribe by tenant and address: {@link Suppression#key()}), which every instance reads in full, so all instances suppress the same addresses; a record with no
 * value (a tombstone) lifts an entry, and an entry stops suppressing when it expires. Requests wait until the
 * list has been read up to where it stood when the gateway started, so nothing is sent before it is known.
 */
public class SuppressionList extends BackgroundService {

    private static final Logger LOG = LoggerFactory.getLogger(SuppressionList.class);
    // An entry is a few short fields; anything much larger is not one, and is skipped unparsed.
    static final int MAX_ENTRY_BYTES = 64 * 1024;

    private final String topic;
    private final Clock clock;
    private final KafkaProducer<String, byte[]> writer;
    private final CompactedTopicFollower follower;
    private final RecordReader records;
    // Locking: this class holds no lock of its own; the entries' monitor guards their index (see SuppressionEntries),
    // and the follower's reads and this instance's writes both reach it through apply.
    private final SuppressionEntries entries;

    /** @param timeToLive how long an entry without its own expiresAt suppresses, counted from its addedAt */
    public SuppressionList(KafkaClients clients, String topic, Duration timeToLive, Clock clock) {
        this(clients, topic, timeToLive, clock, FollowerSettings.DEFAULT);
    }

    public SuppressionList(KafkaClients clients, String topic, Duration timeToLive, Clock clock,
            FollowerSettings followerSettings) {
        this(clients, topic, timeToLive, clock, followerSettings, () -> new KeyIndex(true));
    }

    // Tests force hash collisions through an index with tiny hash functions.
    SuppressionList(KafkaClients clients, String topic, Duration timeToLive, Clock clock,
            FollowerSettings followerSettings, Supplier<KeyIndex> index) {
        this.topic = topic;
        this.clock = clock;
        this.writer = clients.stateWriter();
        this.records = new RecordReader(clients, topic, "suppression entry");
        this.entries = new SuppressionEntries(index.get(), timeToLive, clock, records);
        // Loaded once read up to where the topic ended when the gateway started.
        this.follower = new CompactedTopicFollower(clients, topic, "suppression list", LOG, this::read,
                entries::purgeExpired, followerSettings);
    }

    /** {@link #suppressedRecipients} for the attempt's request, as bulk mail or not. */
    public Set<String> suppressedAmong(Attempt attempt) {
        return suppressedRecipients(attempt.request(), attempt.bulk());
    }

    /**
     * The normalised addresses among the request's recipients (to, cc, bcc) that are suppressed now for this
     * request: every entry in effect counts for bulk mail, only those that are not {@link Suppression#bulkOnly()
     * unsubscribes} count for other mail.
     *
     * @param bulk whether the request is bulk mail of its tenant ({@link BulkMail#isBulk})
     */
    public Set<String> suppressedRecipients(MailRequest request, boolean bulk) {
        follower.awaitCaughtUp();
        String tenant = request.tags().get("tenant");
        Set<String> suppressed = new LinkedHashSet<>();
        Stream.of(request.to(), request.cc(), request.bcc()).flatMap(List::stream).map(MailAddress::address)
                .map(Suppression::normalize)
                .filter(address -> bulk ? bulkMailSuppressedNow(tenant, address)
                        : entries.suppressedNow(address, false))
                .forEach(suppressed::add);
        return suppressed;
    }

    /**
     * Whether bulk mail of this tenant to this address is suppressed now: by an entry for the address (which
     * applies to all tenants) or by the tenant's own unsubscribe entry. Waits until loaded.
     *
     * @param tenant null for mail of no tenant, which only entries for the address suppress
     */
    public boolean bulkMailSuppressed(String tenant, String address) {
        follower.awaitCaughtUp();
        return bulkMailSuppressedNow(tenant, Suppression.normalize(address));
    }

    private boolean bulkMailSuppressedNow(String tenant, String normalized) {
        return entries.suppressedNow(normalized, true)
                || tenant != null && entries.suppressedNow(Suppression.unsubscribeKey(tenant, normalized), true);
    }

    /**
     * Whether this address has an entry in effect now that applies to all tenants (so bulk mail to it is
     * suppressed); waits until loaded.
     */
    public boolean isSuppressed(String address) {
        return isSuppressed(address, true);
    }

    /**
     * Whether bulk mail ({@code bulk}) or other mail to this address is suppressed now by an entry that applies to
     * all tenants; waits until loaded.
     */
    public boolean isSuppressed(String address, boolean bulk) {
        follower.awaitCaughtUp();
        return entries.suppressedNow(Suppression.normalize(address), bulk);
    }

    /** Adds (or replaces) an entry; returns once the broker has acknowledged it. */
    public void add(Suppression entry) {
        write(entry.key(), entry.toJson(), entries.packed(entry));
    }

    /**
     * Adds the entry unless all mail to its address is suppressed already, and says whether it did. The gateway's
     * own entries go through here: an unsubscribe must not replace a hard bounce or complaint (it would let
     * transactional mail through again), while a hard bounce does replace an unsubscribe.
     */
    public boolean addUnlessAllMailSuppressed(Suppression entry) {
        follower.awaitCaughtUp();
        if (entries.suppressedNow(Suppression.normalize(entry.address()), false)) {
            return false;
        }
        add(entry);
        return true;
    }

    /** Lifts the entry of this address that applies to all tenants, if there is one, by writing a tombstone. */
    public void remove(String address) {
        write(Suppression.normalize(address), null, 0);
    }

    /** Lifts this tenant's unsubscribe entry of this address, if there is one, by writing a tombstone. */
    public void removeUnsubscribe(String tenant, String address) {
        write(Suppression.unsubscribeKey(tenant, address), null, 0);
    }

    /**
     * Adds every recipient of a published result that failed because its mailbox or domain does not exist (an
     * enhanced status 5.1.x, except 5.1.7 and 5.1.8, which are about the sender), unless it is suppressed already.
     * A replayed result adds nothing: its bounces were added when it was first published, and may have been lifted
     * since.
     */
    public void addHardBounces(DeliveryResult result) {
        if (result.recipients() == null || Boolean.TRUE.equals(result.replay())) {
            return;
        }
        for (Recipient recipient : result.recipients()) {
            if (recipient.status() == Status.FAILED && hardBounce(recipient.enhancedStatus())) {
                String tenant = result.tags() == null ? null : result.tags().get("tenant");
                addUnlessAllMailSuppressed(
                        new Suppression(recipient.address(), Suppression.HARD_BOUNCE, tenant, clock.instant(), null));
            }
        }
    }

    static boolean hardBounce(String enhancedStatus) {
        return enhancedStatus != null && enhancedStatus.startsWith("5.1.")
                && !enhancedStatus.equals("5.1.7") && !enhancedStatus.equals("5.1.8");
    }

    /** How many entries are held (expired ones are dropped about once a minute). */
    public int size() {
        return entries.size();
    }

    /** Readiness: DOWN while the topic is not followed or not read up to where it stood at start-up. */
    public HealthCheck healthCheck() {
        return new BackgroundHealthCheck("suppression-list", follower::problem);
    }

    /** Whether the list has been read up to where the topic stood at start-up. */
    public boolean ready() {
        return follower.caughtUp();
    }

    private void write(String key, byte[] value, long entry) {
        RecordMetadata written;
        try {
            written = writer.send(new ProducerRecord<>(topic, key, value)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing to the suppression list " + topic, e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot write to the suppression list " + topic, e);
        }
        // Applied at once, so this instance never sends to an address it has just suppressed.
        entries.apply(key, value == null ? null : entry, location(written.partition(), written.offset()));
    }

    // Throws PoisonRecordException for a record that cannot be an entry; the follower logs where it is and counts it.
    private void read(String key, byte[] value, int partition, long offset, long timestamp) {
        if (key == null || key.isBlank()) {
            throw new PoisonRecordException("no key (the key must be the normalised address, or tenant:address)");
        }
        long location = location(partition, offset);
        String indexKey = SuppressionEntries.indexKey(key);
        if (value == null) {
            entries.apply(indexKey, null, location);
            return;
        }
        if (value.length > MAX_ENTRY_BYTES) {
            throw new PoisonRecordException("value larger than " + MAX_ENTRY_BYTES + " bytes");
        }
        long entry;
        try {
            entry = entries.packed(Suppression.fromJson(key, value, Instant.ofEpochMilli(timestamp)));
        } catch (IllegalArgumentException e) {
            // Its message names the field that is wrong, never the value.
            throw new PoisonRecordException(e.getMessage());
        } catch (DateTimeException | ArithmeticException e) {
            throw new PoisonRecordException("addedAt or expiresAt out of range");
        }
        entries.apply(indexKey, entry, location);
    }

    @Override
    protected void doStart() {
        follower.start(executors());
    }

    @Override
    protected void doStop() {
        closeAll(follower::stop, records::close, () -> writer.close(Duration.ofSeconds(5)));
    }
}
