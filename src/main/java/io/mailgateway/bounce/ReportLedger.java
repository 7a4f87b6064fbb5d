package io.mailgateway.bounce;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.mailgateway.events.DeliveryEvent;

/**
 * What the mailbox's reader knows of events already published: which report's events went out (so a report read
 * again after a crash between publishing and filing it yields nothing twice) and each address's recent soft
 * bounces. Bounded in memory and in time; rebuilt from the events topic whenever an instance takes the mailbox over.
 */
public final class ReportLedger {

    /** Most reports and addresses remembered; older ones are forgotten first. */
    public static final int MAX_ENTRIES = 200_000;

    private final Clock clock;
    private final Duration softBounceWindow;
    private final Cache<String, Boolean> published;
    private final Cache<String, Deque<Long>> softBounces;

    public ReportLedger(Clock clock, Duration window) {
        this.clock = clock;
        this.softBounceWindow = window;
        this.published = Caffeine.newBuilder().maximumSize(MAX_ENTRIES).expireAfterWrite(window)
                .executor(Runnable::run).build();
        this.softBounces = Caffeine.newBuilder().maximumSize(MAX_ENTRIES).expireAfterWrite(window)
                .executor(Runnable::run).build();
    }

    /** Whether this event of its report was published already; an event without a report Message-ID never was. */
    public boolean published(DeliveryEvent event) {
        String key = key(event);
        return key != null && published.getIfPresent(key) != null;
    }

    /** Remembers a published event (one just sent, or one read back from the topic). */
    public void remember(DeliveryEvent event) {
        String key = key(event);
        if (key != null) {
            published.put(key, Boolean.TRUE);
        }
    }

    /**
     * Counts a soft bounce of {@code address} at {@code atMillis} and returns how many it had within the window,
     * this one included.
     */
    public synchronized int countSoftBounce(String address, long atMillis) {
        long oldest = clock.millis() - softBounceWindow.toMillis();
        Deque<Long> times = softBounces.get(address.toLowerCase(Locale.ROOT), any -> new ArrayDeque<>());
        if (atMillis >= oldest) {
            times.addLast(atMillis);
        }
        while (!times.isEmpty() && times.peekFirst() < oldest) {
            times.removeFirst();
        }
        softBounces.put(address.toLowerCase(Locale.ROOT), times);
        return times.size();
    }

    /** Forgets the soft bounces of an address once it is suppressed for them. */
    public synchronized void forgetSoftBounces(String address) {
        softBounces.invalidate(address.toLowerCase(Locale.ROOT));
    }

    /** Forgets everything: the next reader rebuilds it from the topic. */
    public synchronized void clear() {
        published.invalidateAll();
        softBounces.invalidateAll();
    }

    private static String key(DeliveryEvent event) {
        if (event.source() == null || event.source().reportMessageId() == null) {
            return null;
        }
        return event.source().reportMessageId() + "\n" + event.event() + "\n"
                + event.recipient().toLowerCase(Locale.ROOT);
    }
}
