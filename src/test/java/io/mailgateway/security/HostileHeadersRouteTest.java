package io.mailgateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.mail.Address;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Produce;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.test.main.junit5.AdviceRouteMapping;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.apache.camel.test.main.junit5.ReplaceInRegistry;
import org.apache.kafka.clients.producer.ProducerRecord;

import io.mailgateway.idempotency.CompletedRequests;
import io.mailgateway.idempotency.OutcomeGuard;
import io.mailgateway.idempotency.OutcomePublisher;
import io.mailgateway.kafka.KafkaClients;
import io.mailgateway.support.EmptySuppressionList;
import io.mailgateway.support.ForgetfulCompletedRequests;
import io.mailgateway.support.MockRelay;
import io.mailgateway.support.PublishedRecords;
import io.mailgateway.suppress.SuppressionList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.mailgateway.config.GatewayConfiguration;
import io.mailgateway.mime.OutboundMessage;
import io.mailgateway.smtp.RecipientOutcome;
import io.mailgateway.smtp.SmtpReply;
import io.mailgateway.smtp.SubmissionOutcome;

/**
 * The second line of defence on its own: even when hostile headers do reach the exchange (here they are put there
 * directly, past camel-kafka's header filter), the routes remove them before anything reads them.
 */
@CamelMainTest(
        configurationClasses = GatewayConfiguration.class,
        properties = {
            "camel.main.routesIncludePattern=file:routes/*.camel.yaml",
            "camel.management.enabled=false",
            "gateway.allowed-sender-domains=acme.example",
            "gateway.default-from=noreply@acme.example"
        },
        replaceRouteFromWith = {"consume-requests=direct:records", "retry-due-requests=direct:retries"},
        mockEndpointsAndSkip = "kafka:.*",
        advices = @AdviceRouteMapping(route = "deliver", advice = MockRelay.class))
class HostileHeadersRouteTest {

    /** Exchange headers that camel-mail 4.18 and camel-kafka 4.18 act on, in several spellings. */
    private static final Map<String, Object> HOSTILE = Map.ofEntries(
            Map.entry("To", "mallory@evil.example"),
            Map.entry("bcc", "mallory-bcc@evil.example".getBytes(StandardCharsets.UTF_8)),
            Map.entry("CC", "mallory-cc@evil.example"),
            Map.entry("Subject", "hijacked"),
            Map.entry("From", "ceo@acme.example"),
            Map.entry("mail.smtp.host", "evil.example"),
            Map.entry("mail.smtp.ssl.trust", "*"),
            Map.entry("mail.smtps.ssl.checkserveridentity", "false"),
            Map.entry("CamelMailTo", "mallory-camel@evil.example"),
            Map.entry("camelMailBcc", "mallory-camel-bcc@evil.example"),
            Map.entry("kafka.OVERRIDE_TOPIC", "mail.stolen"),
            Map.entry("kafka.PARTITION_KEY", 3),
            Map.entry("kafka.OVERRIDE_TIMESTAMP", 0L),
            Map.entry("CamelKafkaOverrideTopic", "mail.stolen"),
            Map.entry("CamelBeanMethodName", "block"),
            Map.entry("template", "order-confirmation"));

    /** Nothing completed before: this test is about headers, not the state topic. */
    @ReplaceInRegistry
    CompletedRequests completedRequests = new ForgetfulCompletedRequests(() -> { });

    /** What the routes publish, acknowledged at once. */
    private final PublishedRecords kafka = new PublishedRecords();

    @ReplaceInRegistry
    OutcomePublisher outcomePublisher = kafka.publisher(completedRequests);

    /** No address suppressed: the suppression list has its own tests against Kafka. */
    @ReplaceInRegistry
    SuppressionList suppressionList = new EmptySuppressionList();

    /** No topics to check: Kafka is mocked here. */
    @ReplaceInRegistry
    OutcomeGuard outcomeGuard = new OutcomeGuard(new KafkaClients(Map.of()), List.of(), Duration.ofSeconds(1));

    @Produce("direct:handle-request")
    ProducerTemplate requests;

    private CamelContext context;

    @BeforeEach
    void acceptEverything() {
        context = requests.getCamelContext();
        mock("smtp").whenAnyExchangeReceived(exchange -> {
            exchange.getIn().setBody(new SubmissionOutcome(SmtpReply.parse(250, "250 2.0.0 Ok: queued"),
                    List.of(new RecipientOutcome("frank@example.org", SmtpReply.parse(250, "250 2.1.5 Ok")))));
        });
    }

    @Test
    void hostileExchangeHeadersAreGoneBeforeTheMailAndTheResultAreSent() throws Exception {
        Map<String, Object> headers = new HashMap<>(HOSTILE);
        headers.put("kafka.KEY", "record-key-1");
        headers.put("kafka.TOPIC", "mail.outbound");
        headers.put("kafka.PARTITION", 0);
        headers.put("kafka.OFFSET", 11L);
        headers.put("CamelKafkaManualCommit", (KafkaManualCommit) () -> { });

        requests.sendBodyAndHeaders("direct:handle-request", """
                {"id": "route-hostile-1", "to": ["frank@example.org"], "subject": "real", "text": "real"}"""
                .getBytes(StandardCharsets.UTF_8), headers);

        Exchange submitted = mock("smtp").getReceivedExchanges().get(0);
        assertThat(submitted.getIn().getHeaders().keySet()).containsOnly("CamelKafkaManualCommit");
        OutboundMessage message = submitted.getIn().getBody(OutboundMessage.class);
        assertThat(message.getAllRecipients()).extracting(Address::toString).containsExactly("frank@example.org");
        assertThat(message.getSubject()).isEqualTo("real");
        ProducerRecord<String, byte[]> published = kafka.on("mail.results").get(0);
        assertThat(published.key()).isEqualTo("route-hostile-1");
        assertThat(published.headers().toArray()).isEmpty();
    }

    private MockEndpoint mock(String uriPart) {
        return context.getEndpoints().stream()
                .filter(e -> e instanceof MockEndpoint && e.getEndpointUri().contains(uriPart))
                .map(MockEndpoint.class::cast)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no mock endpoint for " + uriPart));
    }
}
