package io.mailgateway.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.mailgateway.kafka.GroupInstances.Members;

/** The instances sharing the rate limits, counted from what the group shows on a clock the test moves. */
class GroupInstancesTest {

    private static final Duration REFRESH = Duration.ofSeconds(2);

    private final AtomicLong clock = new AtomicLong();
    private final List<Integer> told = new ArrayList<>();
    private Members shown = new Members(true, Set.of());
    private Exception failure;
    private final GroupInstances instances = new GroupInstances(() -> {
        if (failure != null) {
            throw failure;
        }
        return shown;
    }, "me", REFRESH, clock::get, told::add);

    @Test
    void aNewInstanceTakesNoShareUntilItHasBeenInTheGroupLongEnoughForTheOthersToCountIt() {
        shown = new Members(true, Set.of("a", "b"));
        instances.refresh();
        assertThat(instances.count()).isZero();

        shown = new Members(true, Set.of("a", "b", "me"));
        instances.refresh();
        at(REFRESH);
        instances.refresh();
        assertThat(instances.count()).isZero();

        at(REFRESH.multipliedBy(2));
        instances.refresh();
        assertThat(instances.count()).isEqualTo(3);
        assertThat(told).containsExactly(3);
    }

    @Test
    void aGroupInTheMiddleOfARebalanceLeavesTheCountAsItWas() {
        running(3);

        shown = new Members(false, Set.of("me"));
        instances.refresh();

        assertThat(instances.count()).isEqualTo(3);
    }

    @Test
    void membersJoiningAndLeavingAStableGroupChangeTheCountAtOnce() {
        running(3);

        shown = new Members(true, Set.of("me", "a", "b", "c"));
        instances.refresh();
        assertThat(instances.count()).isEqualTo(4);
        shown = new Members(true, Set.of("me"));
        instances.refresh();
        assertThat(instances.count()).isEqualTo(1);
        assertThat(told).containsExactly(3, 4, 1);
    }

    @Test
    void aGroupThatCannotBeDescribedKeepsTheLastCount() {
        running(3);

        failure = new IllegalStateException("broker unreachable");
        instances.refresh();
        instances.refresh();

        assertThat(instances.count()).isEqualTo(3);
        assertThat(told).containsExactly(3);
    }

    @Test
    void anInstanceOutOfAStableGroupTakesNoShareUntilItIsBackForTheGrace() {
        running(3);

        shown = new Members(true, Set.of("a", "b"));
        instances.refresh();
        assertThat(instances.count()).isZero();

        shown = new Members(true, Set.of("a", "b", "me"));
        at(Duration.ofSeconds(100));
        instances.refresh();
        assertThat(instances.count()).isZero();
        at(Duration.ofSeconds(104));
        instances.refresh();
        assertThat(instances.count()).isEqualTo(3);
        assertThat(told).containsExactly(3, 0, 3);
    }

    private void running(int count) {
        List<String> ids = new ArrayList<>(List.of("me"));
        for (int i = 1; i < count; i++) {
            ids.add("other-" + i);
        }
        shown = new Members(true, Set.copyOf(ids));
        instances.refresh();
        at(REFRESH.multipliedBy(2));
        instances.refresh();
        assertThat(instances.count()).isEqualTo(count);
    }

    private void at(Duration sinceStart) {
        clock.set(sinceStart.toNanos());
    }
}
