package io.mailgateway.result;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Serialises delivery results as the UTF-8 JSON record values of the results topic. */
public final class ResultWriter {

    private final ObjectMapper json = new ObjectMapper();

    public String toJson(DeliveryResult result) {
        try {
            return json.writeValueAsString(result);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a delivery result must always serialise", e);
        }
    }
}
