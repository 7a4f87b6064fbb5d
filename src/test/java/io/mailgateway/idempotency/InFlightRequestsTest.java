package io.mailgateway.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.mailgateway.attempt.Attempt;
import io.mailgateway.attempt.RetryState;
import io.mailgateway.kafka.StateNotReadyException;
import io.mailgateway.request.MailAddress;
import io.mailgateway.request.MailRequest;

/** Two attempts at one request id never run at once, and each finished attempt gives back what it held. */
class InFlightRequestsTest {

    @Test
    void aSecondCopyGoesOnOnceTheFirstIsReleased() throws Exception {
        InFlightRequests inFlight = new InFlightRequests(10_000);
        Attempt first = attempt("req-1");
        inFlight.claim(first);

        CompletableFuture<Void> second = CompletableFuture.runAsync(() -> claim(inFlight, attempt("req-1")));
        inFlight.release(first);

        second.get(5, TimeUnit.SECONDS);
        assertThat(inFlight.size()).isEqualTo(1);
    }

    @Test
    void aCopyThatGaveUpWaitingLeavesTheFirstCopysClaimInPlace() throws Exception {
        InFlightRequests inFlight = new InFlightRequests(1);
        Attempt first = attempt("req-1");
        Attempt second = attempt("req-1");
        inFlight.claim(first);

        assertThatThrownBy(() -> inFlight.claim(second)).isInstanceOf(StateNotReadyException.class);
        inFlight.release(second);
        assertThat(inFlight.size()).isEqualTo(1);

        inFlight.release(first);
        assertThat(inFlight.size()).isZero();
    }

    @Test
    void everyFinishedAttemptGivesBackWhatItHeldEvenWithoutAClaim() {
        List<Attempt> finished = new ArrayList<>();
        InFlightRequests inFlight = new InFlightRequests(1, finished::add);
        Attempt unparsed = new Attempt("key", "key", new byte[0], RetryState.first("2026-12-01T10:00:00Z"));

        inFlight.release(unparsed);
        inFlight.release(null);

        assertThat(finished).containsExactly(unparsed);
    }

    private static void claim(InFlightRequests inFlight, Attempt attempt) {
        try {
            inFlight.claim(attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Attempt attempt(String id) {
        Attempt attempt = new Attempt(id, id, new byte[0], RetryState.first("2026-12-01T10:00:00Z"));
        attempt.setRequest(new MailRequest(id, null, null, new MailAddress("shop@acme.example", null), null,
                List.of(new MailAddress("alice@example.org", null)), List.of(), List.of(), "s", "t", null, null, null,
                null, null));
        return attempt;
    }
}
