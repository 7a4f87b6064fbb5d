package io.mailgateway.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.mailgateway.tenant.Tenant.RateLimit;

/** Each instance grants its share of a limit, slots evenly spaced, on a clock the test moves. */
class SharedRateLimitTest {

    private static final long MS = 1_000_000L;
    private static final RateLimit TWENTY_PER_SECOND = new RateLimit(20, Duration.ofSeconds(1));

    private final AtomicLong clock = new AtomicLong();

    @Test
    void theShareOfOneOfThreeInstancesSpacesItsSlotsThreeIntervalsApart() {
        SharedRateLimit limit = limit(Duration.ofSeconds(1));
        limit.shareAmong(3);

        assertThat(slotsReservedAtOnce(limit, 5)).containsExactly(0L, 150 * MS, 300 * MS, 450 * MS, 600 * MS);
    }

    @Test
    void nothingIsGrantedWhileTheInstanceCountIsUnknown() {
        SharedRateLimit limit = limit(Duration.ofSeconds(1));

        assertThat(limit.reserve()).isEmpty();
        limit.shareAmong(2);
        assertThat(limit.reserve()).hasValue(0L);
        limit.shareAmong(0);
        assertThat(limit.reserve()).isEmpty();
    }

    @Test
    void aSlotBeyondTheLongestWaitIsRefusedAndNotUsedUp() {
        SharedRateLimit limit = limit(Duration.ofMillis(200));
        limit.shareAmong(3);

        // 0, 150 ms; the third (300 ms) is more than 200 ms away
        assertThat(slotsReservedAtOnce(limit, 3)).containsExactly(0L, 150 * MS);
        clock.set(120 * MS);
        assertThat(limit.reserve()).hasValue(300 * MS);
    }

    @Test
    void anIdleLimitSavesNoPermitsForLater() {
        SharedRateLimit limit = limit(Duration.ofSeconds(1));
        limit.shareAmong(1);
        limit.reserve();

        clock.set(10_000 * MS);

        assertThat(slotsReservedAtOnce(limit, 3)).containsExactly(10_000 * MS, 10_050 * MS, 10_100 * MS);
    }

    @Test
    void aChangeOfTheInstanceCountAddsNoBurst() {
        SharedRateLimit limit = limit(Duration.ofSeconds(2));
        limit.shareAmong(3);
        assertThat(limit.reserve()).hasValue(0L);

        limit.shareAmong(2);
        // the slot already promised keeps its place; the spacing after it is the new one
        assertThat(slotsReservedAtOnce(limit, 3)).containsExactly(150 * MS, 250 * MS, 350 * MS);
        limit.shareAmong(4);
        assertThat(slotsReservedAtOnce(limit, 2)).containsExactly(450 * MS, 650 * MS);
    }

    /**
     * Three instances, each started at its own moment and kept busy by callers arriving at random: over every
     * window of the period, and of ten periods, the three together start at most limit × W / per + 3 messages.
     */
    @Test
    void threeSaturatedInstancesStayWithinTheLimitPlusOnePerInstanceOverEveryWindow() {
        Random random = new Random(14);
        List<Long> all = new ArrayList<>();
        for (int instance = 0; instance < 3; instance++) {
            clock.set(random.nextInt(1000) * MS);
            SharedRateLimit limit = limit(Duration.ofMillis(500));
            limit.shareAmong(3);
            while (clock.get() < 30_000 * MS) {
                OptionalLong slot = limit.reserve();
                slot.ifPresent(all::add);
                clock.addAndGet(random.nextInt(80) * MS);
            }
        }
        Collections.sort(all);

        assertThat(mostInAnyWindow(all, 1000 * MS)).isLessThanOrEqualTo(20 + 3);
        assertThat(mostInAnyWindow(all, 10_000 * MS)).isLessThanOrEqualTo(200 + 3);
        // saturated: the limit is used, not only kept
        assertThat(all.size()).isGreaterThanOrEqualTo(20 * 29);
    }

    private static int mostInAnyWindow(List<Long> sorted, long window) {
        int most = 0;
        int first = 0;
        for (int last = 0; last < sorted.size(); last++) {
            while (sorted.get(last) - sorted.get(first) >= window) {
                first++;
            }
            most = Math.max(most, last - first + 1);
        }
        return most;
    }

    private SharedRateLimit limit(Duration longestWait) {
        return new SharedRateLimit(TWENTY_PER_SECOND, longestWait, clock::get);
    }

    private static List<Long> slotsReservedAtOnce(SharedRateLimit limit, int callers) {
        List<Long> slots = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            limit.reserve().ifPresent(slots::add);
        }
        return slots;
    }
}
