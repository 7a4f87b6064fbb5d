package io.mailgateway.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import org.junit.jupiter.api.Test;

import io.mailgateway.events.DeliveryEvent.Bounce;
import io.mailgateway.events.DeliveryEvent.BounceType;
import io.mailgateway.events.DeliveryEvent.Complaint;
import io.mailgateway.events.DeliveryEvent.Source;
import io.mailgateway.events.DeliveryEvent.SourceKind;

class DeliveryEventSchemaTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SCHEMA_BASE = "https://mailgateway.io/schemas/";
    private static final JsonSchema SCHEMA = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
                    builder -> builder.schemaMappers(mappers -> mappers.mapPrefix(SCHEMA_BASE, "classpath:schemas/")))
            .getSchema(SchemaLocation.of(SCHEMA_BASE + "delivery-event-v1.schema.json"));

    private static final DeliveryEvent BOUNCED = new DeliveryEvent("ord-1042-confirmation", DeliveryEvent.Type.BOUNCED,
            "alice@example.org", "<f3kq7n2xw5hb0t9c@acme.example>",
            new Bounce(BounceType.HARD, "5.1.1", "mx.example.org", "smtp; 550 5.1.1 user unknown"), null,
            new Source(SourceKind.DSN, "<20261128100500.4F2@mx.example.org>"), Map.of("tenant", "acme", "kind", "order"),
            "2026-11-28T10:05:00Z", "2026-11-28T10:05:03Z");

    @Test
    void aBouncedEventAsPublishedMatchesTheSchemaAndLeavesOutWhatDoesNotApply() throws Exception {
        JsonNode json = JSON.readTree(EventPublisher.toJson(BOUNCED));

        assertThat(SCHEMA.validate(json)).isEmpty();
        assertThat(json.at("/bounce/type").asText()).isEqualTo("hard");
        assertThat(json.at("/source/kind").asText()).isEqualTo("dsn");
        assertThat(json.has("complaint")).isFalse();
    }

    @Test
    void complainedAndUnsubscribedEventsMatchTheSchema() throws Exception {
        DeliveryEvent complained = new DeliveryEvent("ord-2001", DeliveryEvent.Type.COMPLAINED, "carol@example.org",
                null, null, new Complaint("abuse"), new Source(SourceKind.ARF, "<arf-1@mailbox.example>"), null, null,
                "2026-11-28T10:05:03Z");
        DeliveryEvent unsubscribed = new DeliveryEvent("news-7", DeliveryEvent.Type.UNSUBSCRIBED, "dan@example.org",
                null, null, null, new Source(SourceKind.UNSUBSCRIBE, null), Map.of("tenant", "acme"),
                "2026-11-28T10:05:03Z", "2026-11-28T10:05:03Z");

        assertThat(SCHEMA.validate(JSON.readTree(EventPublisher.toJson(complained)))).isEmpty();
        assertThat(SCHEMA.validate(JSON.readTree(EventPublisher.toJson(unsubscribed)))).isEmpty();
    }

    @Test
    void anEventReadBackFromItsJsonIsTheSameEvent() throws Exception {
        assertThat(EventPublisher.fromJson(EventPublisher.toJson(BOUNCED))).isEqualTo(BOUNCED);
    }

    @Test
    void anEventWithoutItsSourceOrWithAnUnknownTypeIsRefused() throws Exception {
        Set<ValidationMessage> errors = SCHEMA.validate(JSON.readTree("""
                {"id": "x", "event": "OPENED", "recipient": "a@example.org", "receivedAt": "2026-11-28T10:05:03Z"}"""));

        assertThat(errors).extracting(ValidationMessage::getMessage)
                .anyMatch(message -> message.contains("source"))
                .anyMatch(message -> message.contains("event"));
    }
}
