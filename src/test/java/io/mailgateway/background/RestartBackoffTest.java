package io.mailgateway.background;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/** The wait before background work starts again: doubling from the minimum with each failure, capped. */
class RestartBackoffTest {

    @Test
    void doublesFromTheMinimumWithEachFailureInARowAndStopsAtTheMaximum() {
        RestartBackoff backoff = RestartBackoff.DEFAULT;
        assertThat(backoff.delay(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.delay(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.delay(3)).isEqualTo(Duration.ofSeconds(4));
        assertThat(backoff.delay(5)).isEqualTo(Duration.ofSeconds(16));
        assertThat(backoff.delay(6)).isEqualTo(Duration.ofSeconds(30));
        assertThat(backoff.delay(1_000_000)).as("no overflow after days of failures").isEqualTo(Duration.ofSeconds(30));
        assertThat(backoff.delay(0)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void aMinimumAboveTheMaximumOrNotPositiveIsRefused() {
        assertThatThrownBy(() -> new RestartBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("min");
        assertThatThrownBy(() -> new RestartBackoff(Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
