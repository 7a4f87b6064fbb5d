package io.mailgateway.attempt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.mailgateway.relay.Submission;
import io.mailgateway.render.RenderPermits;
import io.mailgateway.request.MailAddress;
import io.mailgateway.request.MailRequest;
import io.mailgateway.result.DeliveryResult;
import io.mailgateway.result.DeliveryResult.Status;

class AttemptStepsTest {

    private final AttemptSteps steps = new AttemptSteps();
    private final Attempt attempt = Attempt.ofRecord("key", "mail.outbound", 0, 7,
            "{}".getBytes(StandardCharsets.UTF_8), "2026-12-07T00:00:00Z");
    private final MailRequest request = new MailRequest("ord-1", null, null, null, null,
            List.of(new MailAddress("alice@example.org", null)), null, null, "Hello", "Hi", null, null, null, null,
            Map.of("tenant", "acme"));

    @Test
    void settingTheRequestKeepsItAsTheBodyAndTheAttemptReportsIt() {
        assertThat(steps.setRequest(attempt, request)).isSameAs(request);

        assertThat(steps.request(attempt)).isSameAs(request);
        assertThat(steps.requestId(attempt)).isEqualTo("ord-1");
        assertThat(attempt.tenant()).isEqualTo("acme");
    }

    @Test
    void theRecordsJsonIsHandedOnToBeParsed() {
        assertThat(new String(steps.requestJson(attempt), StandardCharsets.UTF_8)).isEqualTo("{}");
    }

    @Test
    void anAttemptWithoutAParsedRequestHasNoRequestId() {
        assertThat(steps.requestId(attempt)).isNull();
        assertThat(attempt.requestId()).isNull();
    }

    @Test
    void eachRecordingStepHandsTheRequestOnAsTheNextBody() {
        steps.setRequest(attempt, request);
        RenderPermits.Turn turn = new RenderPermits(1024, 1).newTurn();

        assertThat(steps.setBulk(attempt, true)).isSameAs(request);
        assertThat(steps.setSuppressedRecipients(attempt, Set.of("bob@example.org"))).isSameAs(request);
        assertThat(steps.setRenderTurn(attempt, turn)).isSameAs(request);

        assertThat(attempt.bulk()).isTrue();
        assertThat(attempt.suppressedRecipients()).containsExactly("bob@example.org");
        assertThat(attempt.renderTurn()).isSameAs(turn);
    }

    @Test
    void theOutcomeStaysTheBodyAndItsResultIsHandedOn() {
        DeliveryResult result = new DeliveryResult("ord-1", Status.SENT, true, null, 1, null, null, null, null, null,
                "2026-12-07T00:00:00Z", "2026-12-07T00:00:01Z");
        Decision outcome = new Decision(result, null);

        assertThat(steps.setOutcome(attempt, outcome)).isSameAs(outcome);

        assertThat(attempt.outcome()).isSameAs(outcome);
        assertThat(steps.result(attempt)).isSameAs(result);
    }

    @Test
    void theAttemptIsWhatItsMessageIsSubmittedFor() {
        steps.setRequest(attempt, request);
        attempt.setRetryState(new RetryState(1, attempt.receivedAt(), List.of(), List.of("alice@example.org"), false));

        Submission submission = attempt;

        assertThat(submission.tenant()).isEqualTo("acme");
        assertThat(submission.requestId()).isEqualTo("ord-1");
        assertThat(submission.pending()).containsExactly("alice@example.org");
    }

    @Test
    void theFirstAttemptSendsToEveryRecipientAndARetryOnlyToThosePending() {
        assertThat(attempt.pending()).isNull();

        attempt.setRetryState(new RetryState(1, attempt.receivedAt(), List.of(), List.of("alice@example.org"), false));

        assertThat(attempt.pending()).containsExactly("alice@example.org");
    }
}
