package io.mailgateway.result;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import org.junit.jupiter.api.Test;

import io.mailgateway.mime.MimeComposer;
import io.mailgateway.mime.OutboundMessage;
import io.mailgateway.render.RenderFailedException;
import io.mailgateway.render.RenderedContent;
import io.mailgateway.render.TemplateNotFoundException;
import io.mailgateway.request.MailAddress;
import io.mailgateway.request.MailRequest;
import io.mailgateway.request.NotJsonException;
import io.mailgateway.request.RequestRejectedException;
import io.mailgateway.result.DeliveryResult.Reason;
import io.mailgateway.result.DeliveryResult.Recipient;
import io.mailgateway.result.DeliveryResult.Smtp;
import io.mailgateway.result.DeliveryResult.Status;
import io.mailgateway.smtp.RecipientOutcome;
import io.mailgateway.smtp.SmtpPermanentException;
import io.mailgateway.smtp.SmtpReply;
import io.mailgateway.smtp.SmtpTransientException;
import io.mailgateway.smtp.SubmissionOutcome;

/** Specifies the delivery results built for each outcome of a request and their JSON form on the results topic. */
class ResultFactoryTest {

    private static final String SCHEMA_BASE = "https://mailgateway.io/schemas/";
    private static final JsonSchema SCHEMA = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
                    builder -> builder.schemaMappers(mappers -> mappers.mapPrefix(SCHEMA_BASE, "classpath:schemas/")))
            .getSchema(SchemaLocation.of(SCHEMA_BASE + "delivery-result-v1.schema.json"));
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String RECEIVED_AT = "2026-11-28T10:00:00.120Z";
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-28T10:00:00.180Z"), ZoneOffset.UTC);
    private static final String FALLBACK_ID = "mail.outbound-3-1042";
    private static final Map<String, String> TAGS = Map.of("tenant", "acme", "kind", "order");

    private final ResultFactory results = new ResultFactory(CLOCK);
    private final ResultWriter writer = new ResultWriter();
    private final MailRequest request = new MailRequest("ord-1042-confirmation", null, null,
            new MailAddress("shop@acme.example", "ACME Shop"), null,
            List.of(new MailAddress("alice@example.org", null), new MailAddress("bob@example.org", null),
                    new MailAddress("carol@example.org", null)),
            null, null, null, null, null, null, null, null, TAGS);

    // --- SENT -----------------------------------------------------------------------------------------------------

    @Test
    void aSentResultReportsTheRelaysAnswerForTheMessage() {
        OutboundMessage message = composed();
        SubmissionOutcome outcome = outcome(reply(250, "250 2.0.0 Ok: queued as 4F2"),
                recipient("alice@example.org", 250, "250 2.1.5 Ok"));

        DeliveryResult result = valid(results.sent(request, outcome, 1, RECEIVED_AT));

        assertThat(result.id()).isEqualTo("ord-1042-confirmation");
        assertThat(result.status()).isEqualTo(Status.SENT);
        assertThat(result.terminal()).isTrue();
        assertThat(result.messageId()).isEqualTo(message.messageId()).startsWith("<").endsWith("@acme.example>");
        assertThat(result.smtp()).isEqualTo(new Smtp(250, "2.0.0", "2.0.0 Ok: queued as 4F2"));
        assertThat(result.reason()).isNull();
        assertThat(result.tags()).isEqualTo(TAGS);
        assertThat(result.replay()).isNull();
    }

    @Test
    void theAttemptCountsEverySubmissionOfTheMessage() {
        SubmissionOutcome outcome = outcome(reply(250, "250 2.0.0 Ok"), recipient("alice@example.org", 250, "250 Ok"));
        assertThat(valid(results.sent(request, outcome, 1, RECEIVED_AT)).attempt()).isEqualTo(1);

        assertThat(valid(results.sent(request, outcome, 3, RECEIVED_AT)).attempt()).isEqualTo(3);
    }

    @Test
    void eachRecipientGetsTheStatusOfItsOwnReply() {
        SubmissionOutcome outcome = outcome(reply(250, "250 2.0.0 Ok: queued as 4F2"),
                recipient("alice@example.org", 250, "250 2.1.5 Ok"),
                recipient("bob@example.org", 550, "550 5.1.1 <bob@example.org>: Recipient address rejected"),
                recipient("carol@example.org", 450, "450 4.2.0 <carol@example.org>: Recipient address rejected: Greylisted"));

        DeliveryResult result = valid(results.sent(request, outcome, 1, RECEIVED_AT));

        assertThat(result.status()).isEqualTo(Status.SENT);
        assertThat(result.recipients()).containsExactly(
                new Recipient("alice@example.org", Status.SENT, 250, "2.1.5", "2.1.5 Ok"),
                new Recipient("bob@example.org", Status.FAILED, 550, "5.1.1",
                        "5.1.1 <bob@example.org>: Recipient address rejected"),
                new Recipient("carol@example.org", Status.DEFERRED, 450, "4.2.0",
                        "4.2.0 <carol@example.org>: Recipient address rejected: Greylisted"));
    }

    @Test
    void receivedAtIsKeptAndCompletedAtComesFromTheClockWithMilliseconds() {
        SubmissionOutcome outcome = outcome(reply(250, "250 Ok"), recipient("alice@example.org", 250, "250 Ok"));

        DeliveryResult result = valid(results.sent(request, outcome, 1, RECEIVED_AT));

        assertThat(result.receivedAt()).isEqualTo("2026-11-28T10:00:00.120Z");
        assertThat(result.completedAt()).isEqualTo("2026-11-28T10:00:00.180Z");
    }

    @Test
    void timestampsAlwaysHaveThreeFractionDigitsInUtc() {
        Clock onTheSecond = Clock.fixed(Instant.parse("2026-11-28T10:00:00Z"), ZoneOffset.ofHours(2));

        assertThat(new ResultFactory(onTheSecond).now()).isEqualTo("2026-11-28T10:00:00.000Z");
        assertThat(results.now()).isEqualTo("2026-11-28T10:00:00.180Z");
    }

    @Test
    void aMessageThatWasNotSubmittedCannotBeReportedAsSent() {
        assertThatThrownBy(() -> results.sent(request, null, 1, RECEIVED_AT))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ord-1042-confirmation");
    }

    // --- REJECTED -------------------------------------------------------------------------------------------------

    @Test
    void aRejectionBeforeParsingIsReportedUnderTheIdAndTagsTheExceptionCarries() {
        RequestRejectedException rejection = new RequestRejectedException("invalid-request", "to[0]: not an address",
                "ord-1042-confirmation", TAGS);

        DeliveryResult result = valid(results.failed(rejection, null, 0, null, FALLBACK_ID, RECEIVED_AT));

        assertThat(result.id()).isEqualTo("ord-1042-confirmation");
        assertThat(result.tags()).isEqualTo(TAGS);
        assertThat(result.status()).isEqualTo(Status.REJECTED);
        assertThat(result.terminal()).isTrue();
        assertThat(result.reason()).isEqualTo(new Reason("invalid-request", "to[0]: not an address"));
    }

    @Test
    void aRejectionWithoutAValidIdIsReportedUnderTheFallbackIdWithoutTags() {
        DeliveryResult result = valid(results.failed(new NotJsonException("not a JSON object"), null, 0, null,
                FALLBACK_ID, RECEIVED_AT));

        assertThat(result.id()).isEqualTo(FALLBACK_ID);
        assertThat(result.tags()).isEmpty();
        assertThat(result.status()).isEqualTo(Status.REJECTED);
        assertThat(result.reason()).isEqualTo(new Reason("invalid-request", "not a JSON object"));
    }

    @Test
    void aRejectionAfterParsingIsReportedUnderTheRequestsIdAndTags() {
        RequestRejectedException rejection = new RequestRejectedException("sender-not-allowed",
                "from: domain 'evil.example' is not an allowed sender domain", request.id(), request.tags());

        DeliveryResult result = valid(results.failed(rejection, request, 0, request, FALLBACK_ID, RECEIVED_AT));

        assertThat(result.id()).isEqualTo("ord-1042-confirmation");
        assertThat(result.tags()).isEqualTo(TAGS);
        assertThat(result.reason().category()).isEqualTo("sender-not-allowed");
    }

    @Test
    void aRejectedResultCarriesNoSmtpNoMessageIdAndNoAttempt() {
        RequestRejectedException tooLarge = new RequestRejectedException("too-large",
                "message: about 30000000 bytes exceeds the limit of 26214400", request.id(), request.tags());

        DeliveryResult result = valid(results.failed(tooLarge, composed(), 0, request, FALLBACK_ID, RECEIVED_AT));

        assertThat(result.status()).isEqualTo(Status.REJECTED);
        assertThat(result.messageId()).isNull();
        assertThat(result.attempt()).isNull();
        assertThat(result.smtp()).isNull();
        assertThat(result.recipients()).isNull();
        JsonNode json = json(result);
        assertThat(json.has("messageId")).isFalse();
        assertThat(json.has("attempt")).isFalse();
        assertThat(json.has("smtp")).isFalse();
        assertThat(json.has("recipients")).isFalse();
    }

    @Test
    void aRenderFailureIsRejectedWithItsCategoryAndDetailWithoutRepeatingTheCategory() {
        RenderFailedException failure = new RenderFailedException("html: missing variable 'order.no'");

        DeliveryResult result = valid(results.failed(failure, request, 0, request, FALLBACK_ID, RECEIVED_AT));

        assertThat(result.status()).isEqualTo(Status.REJECTED);
        assertThat(result.reason()).isEqualTo(new Reason("render-failed", "html: missing variable 'order.no'"));
        assertThat(result.reason().detail()).doesNotContain("render-failed");
        assertThat(result.smtp()).isNull();
        assertThat(result.attempt()).isNull();
    }

    @Test
    void anUnknownTemplateIsRejectedAsTemplateNotFound() {
        TemplateNotFoundException failure = new TemplateNotFoundException("no template named 'order-confirmaton'");

        DeliveryResult result = valid(results.failed(failure, request, 0, request, FALLBACK_ID, RECEIVED_AT));

        assertThat(result.status()).isEqualTo(Status.REJECTED);
        assertThat(result.reason()).isEqualTo(new Reason("template-not-found", "no template named 'order-confirmaton'"));
    }

    // --- FAILED ---------------------------------------------------------------------------------------------------

    @Test
    void aPermanentRelayRefusalIsFailedWithTheRelaysReplyAndTheMessageId() {
        OutboundMessage message = composed();
        SmtpReply refusal = reply(554, "554 5.7.1 Message rejected as spam");
        SmtpPermanentException failure = new SmtpPermanentException("message-rejected", "the relay rejected the message",
                refusal, List.of(recipient("alice@example.org", 250, "250 2.1.5 Ok")), null);

        DeliveryResult result = valid(results.failed(failure, message, 1, request, FALLBACK_ID, RECEIVED_AT));

        assertThat(result.id()).isEqualTo("ord-1042-confirmation");
        assertThat(result.status()).isEqualTo(Status.FAILED);
        assertThat(result.terminal()).isTrue();
        assertThat(result.reason()).isEqualTo(new Reason("message-rejected", "the relay rejected the message"));
        assertThat(result.smtp()).isEqualTo(new Smtp(554, "5.7.1", "5.7.1 Message rejected as spam"));
        assertThat(result.messageId()).isEqualTo(message.messageId());
        assertThat(result.attempt()).isEqualTo(1);
        // accepted at RCPT, but the message itself was refused: alice got nothing
        assertThat(result.recipients()).containsExactly(
                new Recipient("alice@example.org", Status.FAILED, 554, "5.7.1", "5.7.1 Message rejected as spam"));
        assertThat(result.tags()).isEqualTo(TAGS);
    }

    @Test
    void everyRecipientRejectedIsFailedWithEachRecipientsReply() {
        RecipientOutcome alice = recipient("alice@example.org", 550, "550 5.1.1 User unknown");
        SmtpPermanentException failure = new SmtpPermanentException("recipient-rejected",
                "the relay rejected every recipient", alice.reply(), List.of(alice), null);

        DeliveryResult result = valid(results.failed(failure, composed(), 0, request, FALLBACK_ID, RECEIVED_AT));

        assertThat(result.reason().category()).isEqualTo("recipient-rejected");
        assertThat(result.recipients()).containsExactly(
                new Recipient("alice@example.org", Status.FAILED, 550, "5.1.1", "5.1.1 User unknown"));
    }

    @Test
    void aFailureBeforeTheMessageWasComposedHasNoMessageId() {
        SmtpPermanentException failure = new SmtpPermanentException("tls-failed", "TLS with the relay failed: handshake",
                null, List.of(), null);

        DeliveryResult result = valid(results.failed(failure, request, 0, request, FALLBACK_ID, RECEIVED_AT));

        assertThat(result.status()).isEqualTo(Status.FAILED);
        assertThat(result.messageId()).isNull();
        assertThat(result.smtp()).isNull();
        assertThat(result.recipients()).isEmpty();
        assertThat(fieldNames(json(result))).doesNotContain("messageId", "smtp", "recipients");
    }

    @Test
    void anUnreachableRelayAfterTheLastRetryIsFailedCountingEveryAttempt() {
        SmtpTransientException failure = new SmtpTransientException("cannot reach the relay: Connection refused", null,
                List.of(), null);

        OutboundMessage message = composed();

        DeliveryResult result = valid(results.failed(failure, message, 4, request, FALLBACK_ID, RECEIVED_AT));

        assertThat(result.status()).isEqualTo(Status.FAILED);
        assertThat(result.terminal()).isTrue();
        assertThat(result.reason().category()).isEqualTo("relay-unavailable");
        assertThat(result.attempt()).isEqualTo(4);
    }

    @Test
    void anUnexpectedFailureIsAnUnknownOutcomeThatDoesNotEchoTheExceptionMessage() {
        IllegalStateException bug = new IllegalStateException("cannot handle data.card = 4111 1111 1111 1111");
        OutboundMessage message = composed();

        DeliveryResult result = valid(results.failed(bug, message, 0, request, FALLBACK_ID, RECEIVED_AT));

        assertThat(result.status()).isEqualTo(Status.FAILED);
        assertThat(result.terminal()).isTrue();
        assertThat(result.reason().category()).isEqualTo("unknown-outcome");
        assertThat(result.reason().detail()).doesNotContain("4111").doesNotContain("data.card");
        assertThat(result.messageId()).isEqualTo(message.messageId());
        assertThat(writer.toJson(result)).doesNotContain("4111");
    }

    @Test
    void anUnexpectedFailureBeforeParsingIsReportedUnderTheFallbackId() {
        DeliveryResult result = valid(results.failed(new NullPointerException(), new byte[] {1}, 0, null, FALLBACK_ID,
                RECEIVED_AT));

        assertThat(result.id()).isEqualTo(FALLBACK_ID);
        assertThat(result.reason().category()).isEqualTo("unknown-outcome");
        assertThat(result.messageId()).isNull();
    }

    // --- JSON -----------------------------------------------------------------------------------------------------

    @Test
    void theJsonFollowsThePropertyOrderOfTheContract() {
        OutboundMessage message = composed();
        SubmissionOutcome outcome = outcome(reply(250, "250 2.0.0 Ok"), recipient("alice@example.org", 250, "250 2.1.5 Ok"));

        assertThat(fieldNames(json(valid(results.sent(request, outcome, 1, RECEIVED_AT))))).containsExactly(
                "id", "status", "terminal", "messageId", "attempt", "smtp", "recipients", "tags", "receivedAt",
                "completedAt");
        SmtpPermanentException failure = new SmtpPermanentException("message-rejected", "the relay rejected the message",
                reply(554, "554 5.7.1 No"), List.of(), null);
        assertThat(fieldNames(json(valid(results.failed(failure, message, 1, request, FALLBACK_ID, RECEIVED_AT)))))
                .containsExactly("id", "status", "terminal", "messageId", "attempt", "smtp", "reason", "tags",
                        "receivedAt", "completedAt");
        DeliveryResult replay = new DeliveryResult("ord-1", Status.REJECTED, true, null, null, null, null,
                new Reason("invalid-request", "to[0]: not an address"), TAGS, true, RECEIVED_AT, results.now());
        assertThat(fieldNames(json(valid(replay)))).containsExactly(
                "id", "status", "terminal", "reason", "tags", "replay", "receivedAt", "completedAt");
        assertThat(fieldNames(json(valid(results.sent(request, outcome, 1, RECEIVED_AT))).get("smtp")))
                .containsExactly("code", "enhancedStatus", "response");
        assertThat(fieldNames(json(valid(results.sent(request, outcome, 1, RECEIVED_AT))).get("recipients").get(0)))
                .containsExactly("address", "status", "code", "enhancedStatus", "response");
    }

    @Test
    void theJsonOmitsNullAndEmptyFields() {
        DeliveryResult result = valid(results.failed(new NotJsonException("not a JSON object"), null, 0, null,
                FALLBACK_ID, RECEIVED_AT));

        assertThat(fieldNames(json(result))).containsExactly(
                "id", "status", "terminal", "reason", "receivedAt", "completedAt");
        assertThat(writer.toJson(result)).doesNotContain("null").doesNotContain("[]").doesNotContain("{}");
    }

    @Test
    void aRelayReplyWithoutEnhancedStatusOmitsIt() {
        SubmissionOutcome outcome = outcome(reply(250, "250 Ok"), recipient("alice@example.org", 250, "250 Ok"));

        JsonNode json = json(valid(results.sent(request, outcome, 1, RECEIVED_AT)));

        assertThat(fieldNames(json.get("smtp"))).containsExactly("code", "response");
        assertThat(fieldNames(json.get("recipients").get(0))).containsExactly("address", "status", "code", "response");
    }

    @Test
    void aReasonWithoutDetailOmitsTheDetail() {
        DeliveryResult result = valid(results.failed(new RenderFailedException(null), request, 0, request, FALLBACK_ID,
                RECEIVED_AT));

        assertThat(fieldNames(json(result).get("reason"))).containsExactly("category");
    }

    @Test
    void aDeferredResultIsWrittenAsNotTerminal() {
        DeliveryResult deferred = new DeliveryResult("ord-1", Status.DEFERRED, false, "<a@acme.example>", 1, null, null,
                new Reason("relay-unavailable", "cannot reach the relay"), Map.of(), null, RECEIVED_AT, results.now());

        JsonNode json = json(valid(deferred));

        assertThat(json.get("terminal").isBoolean()).isTrue();
        assertThat(json.get("terminal").booleanValue()).isFalse();
    }

    @Test
    void theJsonIsTheDocumentedExample() throws JsonProcessingException {
        DeliveryResult result = new DeliveryResult("ord-1042-confirmation", Status.SENT, true,
                "<5d1c0f6e2b7a4c8e9f10a2b3c4d5e6f7@acme.example>", 1, new Smtp(250, "2.0.0", "2.0.0 Ok: queued as 4F2"),
                List.of(new Recipient("alice@example.org", Status.SENT, 250, "2.1.5", null)),
                null, Map.of("tenant", "acme"), null, RECEIVED_AT,
                "2026-11-28T10:00:00.180Z");

        assertThat(writer.toJson(valid(result))).isEqualTo("{\"id\":\"ord-1042-confirmation\",\"status\":\"SENT\","
                + "\"terminal\":true,\"messageId\":\"<5d1c0f6e2b7a4c8e9f10a2b3c4d5e6f7@acme.example>\",\"attempt\":1,"
                + "\"smtp\":{\"code\":250,\"enhancedStatus\":\"2.0.0\",\"response\":\"2.0.0 Ok: queued as 4F2\"},"
                + "\"recipients\":[{\"address\":\"alice@example.org\",\"status\":\"SENT\",\"code\":250,"
                + "\"enhancedStatus\":\"2.1.5\"}],\"tags\":{\"tenant\":\"acme\"},"
                + "\"receivedAt\":\"2026-11-28T10:00:00.120Z\",\"completedAt\":\"2026-11-28T10:00:00.180Z\"}");
    }

    // --- helpers --------------------------------------------------------------------------------------------------

    /** Writes the result as the results topic would carry it and asserts that it satisfies the contract. */
    private DeliveryResult valid(DeliveryResult result) {
        Set<ValidationMessage> violations = SCHEMA.validate(json(result));
        assertThat(violations).as(writer.toJson(result)).isEmpty();
        return result;
    }

    private JsonNode json(DeliveryResult result) {
        try {
            return JSON.readTree(writer.toJson(result));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private OutboundMessage composed() {
        return new MimeComposer(1024 * 1024, CLOCK).compose(request, new RenderedContent("Hi", null, "Hello", "default"));
    }

    private static SubmissionOutcome outcome(SmtpReply reply, RecipientOutcome... recipients) {
        return new SubmissionOutcome(reply, List.of(recipients));
    }

    private static SmtpReply reply(int code, String line) {
        return SmtpReply.parse(code, line);
    }

    private static RecipientOutcome recipient(String address, int code, String line) {
        return new RecipientOutcome(address, reply(code, line));
    }
}
