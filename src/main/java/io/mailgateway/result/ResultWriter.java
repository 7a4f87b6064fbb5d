package io.mailgateway.result;

import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mailgateway.result.DeliveryResult.Recipient;

/** Serialises delivery results as the UTF-8 JSON record values of the results topic. */
public final class ResultWriter {

    /**
     * Largest result written: below the 1 MiB a Kafka topic and producer take by default, with room for the key and
     * the record's overhead. Every field has a byte budget (id, tags, texts cut to {@link DeliveryResult#MAX_TEXT_BYTES},
     * at most GATEWAY_MAX_RECIPIENTS recipients), so only an unusually high recipient limit can reach it.
     */
    public static final int MAX_RESULT_BYTES = 1_000_000;

    private final ObjectMapper json = new ObjectMapper();

    public String toJson(DeliveryResult result) {
        String value = write(result);
        if (utf8Length(value) <= MAX_RESULT_BYTES || result.recipients() == null) {
            return value;
        }
        // A result the topic refuses would leave its record unfinished for ever; the relay's reply per recipient
        // is the part that can go (each recipient keeps its status and code).
        return write(new DeliveryResult(result.id(), result.status(), result.terminal(), result.messageId(),
                result.attempt(), result.smtp(), result.recipients().stream()
                        .map(r -> new Recipient(r.address(), r.status(), r.code(), r.enhancedStatus(), null))
                        .toList(),
                result.reason(), result.tags(), result.replay(), result.receivedAt(), result.completedAt()));
    }

    private String write(DeliveryResult result) {
        try {
            return json.writeValueAsString(result);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a delivery result must always serialise", e);
        }
    }

    private static long utf8Length(String value) {
        // mostly ASCII: only count precisely when it could matter
        return value.length() * 3L <= MAX_RESULT_BYTES ? value.length() : value.getBytes(StandardCharsets.UTF_8).length;
    }
}
