package io.mailgateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.mail.Message.RecipientType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.Exchange;
import org.apache.camel.Produce;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.model.BeanDefinition;
import org.apache.camel.model.ExpressionNode;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.language.MethodCallExpression;
import org.apache.camel.test.main.junit5.AdviceRouteMapping;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.apache.camel.test.main.junit5.ReplaceInRegistry;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.mailgateway.config.GatewayConfiguration;
import io.mailgateway.consume.PartitionProgress;
import io.mailgateway.idempotency.CompletedRequests;
import io.mailgateway.idempotency.OutcomeGuard;
import io.mailgateway.idempotency.OutcomePublisher;
import io.mailgateway.kafka.KafkaClients;
import io.mailgateway.mime.OutboundMessage;
import io.mailgateway.smtp.RecipientOutcome;
import io.mailgateway.smtp.SmtpReply;
import io.mailgateway.smtp.SubmissionOutcome;
import io.mailgateway.support.EmptySuppressionList;
import io.mailgateway.support.ForgetfulCompletedRequests;
import io.mailgateway.support.MockRelay;
import io.mailgateway.support.PublishedRecords;
import io.mailgateway.support.RouteModel;
import io.mailgateway.suppress.SuppressionList;

/**
 * The YAML wiring with Kafka and SMTP mocked: what reaches the relay, what is published, and that the offset is
 * committed only after the result was published.
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
class RoutesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Nothing completed before: these tests are about the wiring, not the state topic. */
    @ReplaceInRegistry
    CompletedRequests completedRequests = new ForgetfulCompletedRequests(() -> this.events.add("remembered"));

    /** What the routes publish, acknowledged at once unless a test says otherwise. */
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
    ProducerTemplate template;

    private CamelContext context;

    private final List<String> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void recordEvents() {
        context = template.getCamelContext();
        mock("smtp").whenAnyExchangeReceived(exchange -> {
            events.add("submitted");
            exchange.getIn().setBody(new SubmissionOutcome(SmtpReply.parse(250, "250 2.0.0 Ok: queued"),
                    List.of(new RecipientOutcome("frank@example.org", SmtpReply.parse(250, "250 2.1.5 Ok")))));
        });
        kafka.onSend(record -> {
            if (record.topic().equals("mail.results")) {
                events.add("result");
            }
        });
        mock("mail.dlq").whenAnyExchangeReceived(exchange -> events.add("dead-letter"));
    }

    @Test
    void validRequestIsSubmittedThenItsResultPublishedThenItsOffsetCommitted() throws Exception {
        consume("order-1", """
                {"id": "order-1", "to": ["frank@example.org"], "subject": "s", "text": "t"}""",
                Map.of("Bcc", "mallory@evil.example".getBytes(StandardCharsets.UTF_8)));

        assertThat(events).containsExactly("submitted", "result", "remembered", "commit");
        Exchange submitted = mock("smtp").getReceivedExchanges().get(0);
        OutboundMessage message = submitted.getIn().getBody(OutboundMessage.class);
        assertThat(message.getRecipients(RecipientType.BCC)).isNull();
        assertThat(submitted.getIn().getHeaders().keySet()).containsOnly("CamelKafkaManualCommit");

        ProducerRecord<String, byte[]> published = kafka.on("mail.results").get(0);
        assertThat(published.key()).isEqualTo("order-1");
        JsonNode result = JSON.readTree(published.value());
        assertThat(result.get("status").asText()).isEqualTo("SENT");
        assertThat(result.get("attempt").asInt()).isEqualTo(1);
    }

    @Test
    void recordThatIsNotJsonGoesToTheDeadLetterTopicThenGetsItsResultThenItsOffsetCommitted() throws Exception {
        consume("broken-1", "{not json", Map.of());

        // A REJECTED result is not remembered: a corrected request with the same id is handled as new.
        assertThat(events).containsExactly("dead-letter", "result", "commit");
        Exchange deadLetter = mock("mail.dlq").getReceivedExchanges().get(0);
        assertThat(deadLetter.getIn().getBody(byte[].class)).isEqualTo("{not json".getBytes(StandardCharsets.UTF_8));
        assertThat(deadLetter.getIn().getHeader("kafka.KEY")).isEqualTo("broken-1");
        JsonNode result = JSON.readTree(kafka.on("mail.results").get(0).value());
        assertThat(result.get("id").asText()).isEqualTo("broken-1");
        assertThat(result.get("status").asText()).isEqualTo("REJECTED");
    }

    @Test
    void offsetIsNotCommittedWhenTheResultCannotBePublished() {
        kafka.refuse(record -> record.topic().equals("mail.results"));

        assertThatThrownBy(() -> consume("order-2", """
                {"id": "order-2", "to": ["frank@example.org"], "subject": "s", "text": "t"}""", Map.of()))
                .isInstanceOf(CamelExecutionException.class);
        assertThat(events).doesNotContain("commit");
    }

    @Test
    void eachPartitionIsCommittedUpToItsFirstUnfinishedRecord() {
        // p0-2's result is refused only once the results of p0-3 and p1-6 are out: a refused outcome holds
        // consumption, and a record that reached the gateway's check after it would wait and stay unfinished too.
        kafka.refuse(record -> record.topic().equals("mail.results") && "p0-2".equals(record.key())
                && resultsPublished("p0-3", "p1-6"));
        List<Exchange> poll = List.of(record(0, 1, "p0-1"), record(1, 5, "p1-5"), record(0, 2, "p0-2"),
                record(0, 3, "p0-3"), record(1, 6, "p1-6"));

        poll.forEach(record -> template.send("direct:records", record));
        settle();

        // p0-3 was handed on before p0-2 failed and may have been published, but committing it would skip p0-2,
        // which is read again.
        assertThat(events).filteredOn(e -> e.startsWith("commit"))
                .containsExactlyInAnyOrder("commit 0@1", "commit 1@6");
    }

    @Test
    void aRequestThatRenderedLargeGivesItsTurnBackWhenItIsFinished() {
        String name = "x".repeat(2 * 1024 * 1024);
        Exchange large = record(0, 1, "large-1");
        large.getMessage().setBody(("{\"id\": \"large-1\", \"template\": \"welcome\", \"to\": [\"frank@example.org\"],"
                + " \"data\": {\"name\": \"" + name + "\", \"brand\": {\"name\": \"ACME\"}, \"loginUrl\": \"https://a.example\"}}")
                .getBytes(StandardCharsets.UTF_8));

        template.send("direct:records", large);
        settle();

        assertThat(events).contains("result", "commit 0@1");
        // Given back as the record's last step, right after it was closed.
        await().atMost(Duration.ofSeconds(20)).until(() -> context.getRegistry()
                .lookupByNameAndType("renderPermits", io.mailgateway.render.RenderPermits.class).availableTurns() == 1);
    }

    /** Waits until the results of these requests were published; true, or the test fails. */
    private boolean resultsPublished(String... ids) {
        await().atMost(Duration.ofSeconds(20)).until(() -> kafka.on("mail.results").stream()
                .map(ProducerRecord::key).toList().containsAll(List.of(ids)));
        return true;
    }

    /**
     * What the polling thread does after its next poll, once the records handed to the send threads are through:
     * commits each partition up to its first unfinished record (these handles belong to no consumer).
     */
    private void settle() {
        PartitionProgress progress = context.getRegistry().lookupByNameAndType("partitionProgress",
                PartitionProgress.class);
        await().atMost(Duration.ofSeconds(20)).until(() -> progress.inFlight() == 0);
        progress.settle(null);
    }

    @Test
    void everyMethodAStepCallsByNameIsTheOnlyPublicMethodOfThatNameOnItsBean() throws Exception {
        // With several of that name, Camel chooses among them anew for every exchange, copying its lists of the
        // bean's methods each time; with one, it takes that one.
        Map<String, Long> overloaded = new TreeMap<>();
        for (MethodCall call : methodCalls()) {
            Object bean = context.getRegistry().lookupByName(call.bean());
            assertThat(bean).as("bean " + call.bean()).isNotNull();
            String name = call.method().replaceFirst("\\(.*", "").trim();
            long methods = Arrays.stream(bean.getClass().getMethods())
                    .filter(method -> method.getName().equals(name) && !method.isBridge()).count();
            if (methods != 1) {
                overloaded.put(call.bean() + "." + name, methods);
            }
        }

        assertThat(overloaded).isEmpty();
    }

    /** A bean and the method a route calls on it, as written. */
    private record MethodCall(String bean, String method) {
    }

    /** Every bean step and method expression in the route files. */
    private static List<MethodCall> methodCalls() throws Exception {
        List<RouteDefinition> routes = RouteModel.load(RouteModel.allFiles());
        List<MethodCall> calls = new ArrayList<>();
        for (BeanDefinition step : RouteModel.steps(routes, BeanDefinition.class)) {
            if (step.getRef() != null && step.getMethod() != null) {
                calls.add(new MethodCall(step.getRef(), step.getMethod()));
            }
        }
        for (ExpressionNode step : RouteModel.steps(routes, ExpressionNode.class)) {
            if (step.getExpression() instanceof MethodCallExpression call && call.getRef() != null
                    && call.getMethod() != null) {
                calls.add(new MethodCall(call.getRef(), call.getMethod()));
            }
        }
        assertThat(calls).hasSizeGreaterThan(20);
        return calls;
    }

    /** One record as camel-kafka hands it over. */
    private Exchange record(int partition, long offset, String id) {
        Exchange record = new org.apache.camel.support.DefaultExchange(context);
        record.getMessage().setBody(("{\"id\": \"" + id + "\", \"to\": [\"frank@example.org\"], \"subject\": \"s\", \"text\": \"t\"}")
                .getBytes(StandardCharsets.UTF_8));
        record.getMessage().setHeader("kafka.KEY", id);
        record.getMessage().setHeader("kafka.TOPIC", "mail.outbound");
        record.getMessage().setHeader("kafka.PARTITION", partition);
        record.getMessage().setHeader("kafka.OFFSET", offset);
        record.getMessage().setHeader("CamelKafkaManualCommit", (KafkaManualCommit) () -> events.add("commit " + partition + "@" + offset));
        return record;
    }

    /** What camel-kafka hands the route: the raw value, its own headers, record headers and the commit handle. */
    private void consume(String key, String value, Map<String, Object> recordHeaders) {
        Map<String, Object> headers = new java.util.HashMap<>(recordHeaders);
        headers.put("kafka.KEY", key);
        headers.put("kafka.TOPIC", "mail.outbound");
        headers.put("kafka.PARTITION", 0);
        headers.put("kafka.OFFSET", 7L);
        headers.put("CamelKafkaManualCommit", (KafkaManualCommit) () -> events.add("commit"));
        template.sendBodyAndHeaders("direct:handle-request", value.getBytes(StandardCharsets.UTF_8), headers);
    }

    private MockEndpoint mock(String uriPart) {
        return context.getEndpoints().stream()
                .filter(e -> e instanceof MockEndpoint && e.getEndpointUri().contains(uriPart))
                .map(MockEndpoint.class::cast)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no mock endpoint for " + uriPart + " in " + context.getEndpoints()));
    }
}
