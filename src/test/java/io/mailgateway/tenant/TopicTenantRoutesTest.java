package io.mailgateway.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelContext;
import org.apache.camel.Produce;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.test.main.junit5.AdviceRouteMapping;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.apache.camel.test.main.junit5.ReplaceInRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.mailgateway.config.GatewayConfiguration;
import io.mailgateway.idempotency.CompletedRequests;
import io.mailgateway.idempotency.OutcomeGuard;
import io.mailgateway.idempotency.OutcomePublisher;
import io.mailgateway.kafka.KafkaClients;
import io.mailgateway.mime.OutboundMessage;
import io.mailgateway.smtp.RecipientOutcome;
import io.mailgateway.smtp.SmtpReply;
import io.mailgateway.smtp.SmtpTransientException;
import io.mailgateway.smtp.SubmissionOutcome;
import io.mailgateway.support.EmptySuppressionList;
import io.mailgateway.support.ForgetfulCompletedRequests;
import io.mailgateway.support.MockRelay;
import io.mailgateway.support.PublishedRecords;
import io.mailgateway.suppress.SuppressionList;

/**
 * The routes with topic-bound tenants, Kafka and SMTP mocked: a request's tenant follows from its topic, a request
 * naming another tenant is rejected before anything is sent, and a retry keeps the tenant its topic gave it.
 */
@CamelMainTest(
        configurationClasses = GatewayConfiguration.class,
        properties = {
            "camel.main.routesIncludePattern=file:routes/*.camel.yaml",
            "camel.management.enabled=false",
            "gateway.allowed-sender-domains=acme.example",
            "gateway.default-from=noreply@acme.example",
            "gateway.tenants-file=src/test/resources/tenants/topic-bound-tenants.yaml"
        },
        replaceRouteFromWith = {"consume-requests=direct:records", "retry-due-requests=direct:retries"},
        mockEndpointsAndSkip = "kafka:.*",
        advices = @AdviceRouteMapping(route = "deliver", advice = MockRelay.class))
class TopicTenantRoutesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @ReplaceInRegistry
    CompletedRequests completedRequests = new ForgetfulCompletedRequests(() -> { });

    /** What the routes publish, acknowledged at once. */
    private final PublishedRecords kafka = new PublishedRecords();

    @ReplaceInRegistry
    OutcomePublisher outcomePublisher = kafka.publisher(completedRequests);

    @ReplaceInRegistry
    SuppressionList suppressionList = new EmptySuppressionList();

    @ReplaceInRegistry
    OutcomeGuard outcomeGuard = new OutcomeGuard(new KafkaClients(Map.of()), List.of(), Duration.ofSeconds(1));

    @Produce("direct:handle-request")
    ProducerTemplate template;

    private CamelContext context;

    @BeforeEach
    void relayAccepts() {
        context = template.getCamelContext();
        mock("smtp").whenAnyExchangeReceived(exchange -> exchange.getIn().setBody(new SubmissionOutcome(
                SmtpReply.parse(250, "250 2.0.0 Ok: queued"),
                List.of(new RecipientOutcome("frank@example.org", SmtpReply.parse(250, "250 2.1.5 Ok"))))));
    }

    @Test
    void theGatewaySubscribesToTheSharedTopicAndEveryTenantTopic() {
        assertThat(context.resolvePropertyPlaceholders("{{gateway.request-topics}}"))
                .isEqualTo("mail.outbound,mail.outbound.acme,globex.requests");
    }

    @Test
    void aRequestOnATenantTopicIsSentAsThatTenantsAndItsResultNamesTheTenant() throws Exception {
        consume("mail.outbound.acme", "order-1", "{}");

        OutboundMessage message = mock("smtp").getReceivedExchanges().get(0).getIn().getBody(OutboundMessage.class);
        assertThat(message.getFrom()[0].toString()).contains("shop@acme.example");
        JsonNode result = result();
        assertThat(result.path("status").asText()).isEqualTo("SENT");
        assertThat(result.path("tags").path("tenant").asText()).isEqualTo("acme");
    }

    @Test
    void aRequestOnOneTenantsTopicNamingAnotherIsRejectedAndNothingIsSent() throws Exception {
        consume("mail.outbound.acme", "order-2", "{\"tenant\": \"globex\"}");

        assertThat(mock("smtp").getReceivedExchanges()).isEmpty();
        JsonNode result = result();
        assertThat(result.path("status").asText()).isEqualTo("REJECTED");
        assertThat(result.path("reason").path("category").asText()).isEqualTo("invalid-request");
        assertThat(result.path("reason").path("detail").asText()).startsWith("tags.tenant:");
    }

    @Test
    void aRequestOnTheSharedTopicNamingATenantIsRejectedAndNothingIsSent() throws Exception {
        consume("mail.outbound", "order-3", "{\"tenant\": \"acme\"}");

        assertThat(mock("smtp").getReceivedExchanges()).isEmpty();
        JsonNode result = result();
        assertThat(result.path("status").asText()).isEqualTo("REJECTED");
        assertThat(result.path("reason").path("detail").asText()).startsWith("tags.tenant:");
    }

    @Test
    void aDeferredRequestsRetryCarriesTheTenantItsTopicGaveIt() throws Exception {
        mock("smtp").whenAnyExchangeReceived(exchange -> {
            throw new SmtpTransientException("greylisted", SmtpReply.parse(451, "451 4.7.1 Try again later"),
                    List.of(), null);
        });

        consume("globex.requests", "order-4", "{}");

        JsonNode retry = JSON.readTree(kafka.on("mail.retry").get(0).value());
        assertThat(retry.path("request").path("tags").path("tenant").asText()).isEqualTo("globex");
        assertThat(result().path("status").asText()).isEqualTo("DEFERRED");
    }

    private void consume(String topic, String id, String tags) {
        Map<String, Object> headers = new HashMap<>();
        headers.put("kafka.KEY", id);
        headers.put("kafka.TOPIC", topic);
        headers.put("kafka.PARTITION", 0);
        headers.put("kafka.OFFSET", 7L);
        headers.put("CamelKafkaManualCommit", (KafkaManualCommit) () -> { });
        String request = """
                {"id": "%s", "to": ["frank@example.org"], "subject": "s", "text": "t", "tags": %s}"""
                .formatted(id, tags);
        template.sendBodyAndHeaders("direct:handle-request", request.getBytes(StandardCharsets.UTF_8), headers);
    }

    private JsonNode result() throws Exception {
        var published = kafka.on("mail.results");
        assertThat(published).hasSize(1);
        return JSON.readTree(published.get(0).value());
    }

    private MockEndpoint mock(String uriPart) {
        return context.getEndpoints().stream()
                .filter(e -> e instanceof MockEndpoint && e.getEndpointUri().contains(uriPart))
                .map(MockEndpoint.class::cast)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no mock endpoint for " + uriPart));
    }
}
