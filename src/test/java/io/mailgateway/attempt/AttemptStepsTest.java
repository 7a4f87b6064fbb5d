package io.mailgateway.attempt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.mailgateway.render.RenderPermits;
import io.mailgateway.request.MailAddress;
import io.mailgateway.request.MailRequest;

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
    void theFirstAttemptSendsToEveryRecipientAndARetryOnlyToThosePending() {
        assertThat(attempt.pending()).isNull();

        attempt.setRetryState(new RetryState(1, attempt.receivedAt(), List.of(), List.of("alice@example.org"), false));

        assertThat(attempt.pending()).containsExactly("alice@example.org");
    }
}
