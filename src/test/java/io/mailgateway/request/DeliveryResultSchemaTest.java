package io.mailgateway.request;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import java.util.Set;

import org.junit.jupiter.api.Test;

class DeliveryResultSchemaTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonSchema SCHEMA = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
                    builder -> builder.schemaMappers(mappers -> mappers.mapPrefix(RequestParser.SCHEMA_BASE, "classpath:schemas/")))
            .getSchema(SchemaLocation.of(RequestParser.SCHEMA_BASE + "delivery-result-v1.schema.json"));

    private static final String SENT = """
            {
              "id": "ord-1042-confirmation",
              "status": "SENT",
              "terminal": true,
              "messageId": "<f3kq7n2xw5hb0t9c@acme.example>",
              "attempt": 1,
              "smtp": {"code": 250, "enhancedStatus": "2.0.0", "response": "2.0.0 Ok: queued as 4F2..."},
              "recipients": [{"address": "alice@example.org", "status": "SENT", "code": 250, "enhancedStatus": "2.1.5", "response": "2.1.5 Ok"}],
              "tags": {"tenant": "acme"},
              "receivedAt": "2026-11-28T10:00:00.120Z",
              "completedAt": "2026-11-28T10:00:00.180Z"
            }
            """;

    private static final String REJECTED = """
            {
              "id": "ord-1042-confirmation",
              "status": "REJECTED",
              "terminal": true,
              "reason": {"category": "invalid-request", "detail": "to[0]: not an address"},
              "tags": {"tenant": "acme"},
              "receivedAt": "2026-11-28T10:00:00.120Z",
              "completedAt": "2026-11-28T10:00:00.121Z"
            }
            """;

    @Test
    void acceptsASentResult() {
        assertThat(validate(SENT)).isEmpty();
    }

    @Test
    void acceptsARejectedResult() {
        assertThat(validate(REJECTED)).isEmpty();
    }

    @Test
    void acceptsAReplayedResult() {
        ObjectNode replay = parse(SENT);
        replay.put("replay", true);

        assertThat(SCHEMA.validate(replay)).isEmpty();
    }

    @Test
    void rejectsAnUnknownStatus() {
        ObjectNode result = parse(SENT);
        result.put("status", "DELIVERED");

        assertThat(SCHEMA.validate(result)).extracting(ValidationMessage::getType).contains("enum");
    }

    @Test
    void rejectsAnUnknownReasonCategory() {
        ObjectNode result = parse(REJECTED);
        result.putObject("reason").put("category", "bad-luck");

        assertThat(SCHEMA.validate(result)).isNotEmpty();
    }

    @Test
    void allowsOnlyDeferredToBeNonTerminal() {
        ObjectNode deferred = parse(REJECTED);
        deferred.put("status", "DEFERRED");
        deferred.put("terminal", false);
        deferred.putObject("reason").put("category", "relay-unavailable");
        assertThat(SCHEMA.validate(deferred)).isEmpty();

        deferred.put("terminal", true);
        assertThat(SCHEMA.validate(deferred)).isNotEmpty();

        ObjectNode rejected = parse(REJECTED);
        rejected.put("terminal", false);
        assertThat(SCHEMA.validate(rejected)).isNotEmpty();
    }

    @Test
    void requiresAReasonExactlyWhenNotSent() {
        ObjectNode rejected = parse(REJECTED);
        rejected.remove("reason");
        assertThat(SCHEMA.validate(rejected)).isNotEmpty();

        ObjectNode sent = parse(SENT);
        sent.putObject("reason").put("category", "unknown-outcome");
        assertThat(SCHEMA.validate(sent)).isNotEmpty();
    }

    @Test
    void requiresIdStatusTerminalAndTimestamps() {
        for (String field : new String[] {"id", "status", "terminal", "receivedAt", "completedAt"}) {
            ObjectNode result = parse(REJECTED);
            result.remove(field);

            assertThat(SCHEMA.validate(result)).as(field).extracting(ValidationMessage::getProperty).contains(field);
        }
    }

    private static Set<ValidationMessage> validate(String result) {
        return SCHEMA.validate(parse(result));
    }

    private static ObjectNode parse(String json) {
        try {
            return (ObjectNode) JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
