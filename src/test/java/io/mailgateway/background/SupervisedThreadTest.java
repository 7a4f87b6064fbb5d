package io.mailgateway.background;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.health.HealthCheck;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.ExecutorServiceManager;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Background work survives whatever it throws, says why it is not healthy meanwhile, and ends only when stopped. */
class SupervisedThreadTest {

    private static final RestartBackoff FAST = new RestartBackoff(Duration.ofMillis(20), Duration.ofMillis(80));
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ExecutorServiceManager THREADS = new DefaultCamelContext().getExecutorServiceManager();

    @Test
    void workThatFailsIsStartedAgainUntilItRunsAndItsFailureIsReportedMeanwhile() {
        AtomicInteger attempts = new AtomicInteger();
        AtomicInteger progress = new AtomicInteger();
        SupervisedThread[] self = new SupervisedThread[1];
        SupervisedThread thread = new SupervisedThread("test work", LoggerFactory.getLogger(getClass()), FAST, () -> {
            int attempt = attempts.incrementAndGet();
            if (attempt == 1) {
                throw new IllegalStateException("broker not reachable");
            }
            if (attempt == 2) {
                throw new AssertionError("even an Error");
            }
            while (!self[0].stopping()) {
                progress.incrementAndGet();
                self[0].healthy();
                self[0].pause(Duration.ofMillis(5));
            }
        }, () -> { });
        self[0] = thread;
        try {
            assertThat(thread.start(THREADS)).isTrue();
            assertThat(thread.start(THREADS)).as("already running").isFalse();

            await().atMost(WAIT).until(() -> progress.get() > 0);
            assertThat(attempts.get()).isEqualTo(3);
            await().atMost(WAIT).until(() -> thread.failure() == null);
        } finally {
            assertThat(thread.stop(WAIT)).isTrue();
        }
        assertThat(thread.stop(WAIT)).as("stopped already").isFalse();
        int afterStop = attempts.get();
        assertThat(thread.started()).isFalse();
        assertThat(attempts.get()).isEqualTo(afterStop);
    }

    @Test
    void aLastingFailureIsReportedWithItsCauseAndRetriedWithBackoff() {
        AtomicInteger attempts = new AtomicInteger();
        SupervisedThread thread = new SupervisedThread("test work", LoggerFactory.getLogger(getClass()), FAST, () -> {
            attempts.incrementAndGet();
            throw new IllegalStateException("cannot read", new java.util.concurrent.TimeoutException("after 30 s"));
        }, () -> { });
        try {
            thread.start(THREADS);
            await().atMost(WAIT).until(() -> attempts.get() >= 4);
            assertThat(thread.failure()).isEqualTo(
                    "IllegalStateException: cannot read (caused by TimeoutException: after 30 s)");
        } finally {
            thread.stop(WAIT);
        }
    }

    @Test
    void healthCheckIsDownWithTheReasonAndUpWithout() {
        String[] problem = {"following mail.suppressions failed: TimeoutException"};
        BackgroundHealthCheck check = new BackgroundHealthCheck("suppression-list", () -> problem[0]);
        check.setCamelContext(new DefaultCamelContext());
        assertThat(check.isReadiness()).isTrue();
        assertThat(check.isLiveness()).isFalse();

        HealthCheck.Result down = check.call();
        assertThat(down.getState()).isEqualTo(HealthCheck.State.DOWN);
        assertThat(down.getMessage()).hasValueSatisfying(
                message -> assertThat(message).contains("mail.suppressions", "TimeoutException"));

        problem[0] = null;
        assertThat(check.call().getState()).isEqualTo(HealthCheck.State.UP);
    }
}
