package io.mailgateway.suppress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import org.junit.jupiter.api.Test;

import io.mailgateway.result.ResultWriter;

import io.mailgateway.request.MailAddress;
import io.mailgateway.request.MailRequest;
import io.mailgateway.result.DeliveryResult;
import io.mailgateway.result.DeliveryResult.Recipient;
import io.mailgateway.result.DeliveryResult.Status;
import io.mailgateway.result.ResultFactory;
import io.mailgateway.attempt.Attempt;
import io.mailgateway.attempt.RetryState;
import io.mailgateway.retry.NoRecipientLeftException;
import io.mailgateway.retry.RetryPlanner;
import io.mailgateway.retry.RetrySchedule;

/** How suppressed recipients fit into a request's recipients, attempt by attempt. */
class SuppressedRecipientsTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC);
    private static final String RECEIVED = "2026-12-01T10:00:00.000Z";
    private static final JsonSchema SCHEMA = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
            .getSchema(SchemaLocation.of("classpath:schemas/delivery-result-v1.schema.json"));

    private final RetryPlanner planner = new RetryPlanner(new ResultFactory(CLOCK), RetrySchedule.parse("1m", "1h"), CLOCK);
    private final MailRequest request = new MailRequest("req-1", null, null, new MailAddress("shop@acme.example", null),
            null, List.of(new MailAddress("Alice@Example.org", null)), List.of(new MailAddress("bob@example.org", null)),
            null, "s", "t", null, null, null, null, Map.of("tenant", "acme"));

    @Test
    void nothingSuppressedLeavesTheStateAsItWas() {
        RetryState first = RetryState.first(RECEIVED);
        Attempt attempt = attempt(first, Set.of());

        planner.settleSuppressed(attempt);

        assertThat(attempt.retryState()).isSameAs(first);
    }

    @Test
    void suppressedRecipientIsSettledAndTheOthersStayPending() {
        Attempt attempt = attempt(RetryState.first(RECEIVED), Set.of("alice@example.org"));
        planner.settleSuppressed(attempt);
        RetryState state = attempt.retryState();

        assertThat(state.pending()).containsExactly("bob@example.org");
        assertThat(state.settled()).containsExactly(new Recipient("Alice@Example.org", Status.SUPPRESSED, null, null, null));
    }

    @Test
    void everyRecipientSuppressedEndsAsSuppressedWithoutAMessage() throws Exception {
        NoRecipientLeftException nothingLeft = catchThrowableOfType(NoRecipientLeftException.class, () -> planner
                .settleSuppressed(attempt(RetryState.first(RECEIVED), Set.of("alice@example.org", "bob@example.org"))));

        DeliveryResult result = planner.afterFailure(nothingLeft, null, attempt(RetryState.first(RECEIVED), Set.of()))
                .result();
        assertThat(result.status()).isEqualTo(Status.SUPPRESSED);
        assertThat(result.terminal()).isTrue();
        assertThat(result.reason().category()).isEqualTo("suppressed");
        assertThat(result.messageId()).isNull();
        assertThat(result.attempt()).isNull();
        assertThat(result.recipients()).extracting(Recipient::status).containsOnly(Status.SUPPRESSED);
        assertThat(result.tags()).containsEntry("tenant", "acme");
        assertThat(SCHEMA.validate(new ObjectMapper().readTree(new ResultWriter().toJson(result)))).isEmpty();
    }

    @Test
    void retryWhoseLastPendingRecipientWasSuppressedMeanwhileEndsAsSent() {
        RetryState afterFirstAttempt = new RetryState(1, RECEIVED,
                List.of(new Recipient("Alice@Example.org", Status.SENT, 250, "2.1.5", "2.1.5 Ok")),
                List.of("bob@example.org"), false);
        NoRecipientLeftException nothingLeft = catchThrowableOfType(NoRecipientLeftException.class,
                () -> planner.settleSuppressed(attempt(afterFirstAttempt, Set.of("bob@example.org"))));

        DeliveryResult result = planner.afterFailure(nothingLeft, null, attempt(afterFirstAttempt, Set.of())).result();
        assertThat(result.status()).isEqualTo(Status.SENT);
        assertThat(result.reason()).isNull();
        assertThat(result.messageId()).isNotNull();
        assertThat(result.recipients()).extracting(Recipient::status).containsExactly(Status.SENT, Status.SUPPRESSED);
    }

    private Attempt attempt(RetryState state, Set<String> suppressed) {
        Attempt attempt = new Attempt(null, "req-1", null, state);
        attempt.setRequest(request);
        attempt.setSuppressedRecipients(suppressed);
        return attempt;
    }
}
