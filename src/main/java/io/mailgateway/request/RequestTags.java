package io.mailgateway.request;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.ValidationMessage;

/** A request's tags fit to echo in every result (empty when they are not), or the detail of why they are not. */
record RequestTags(Map<String, String> echoed, String problem) {

    // Tags are echoed in every result: with at most 32 (the schema), they add at most 10 KiB to a result.
    static final int MAX_TAG_NAME_BYTES = 64;
    static final int MAX_TAG_VALUE_BYTES = 256;

    /**
     * The tags to echo in results, and what is wrong with them beyond the schema. Tags are echoed in every result, so
     * each has a byte budget and no control characters; tags that break a rule are never echoed.
     */
    static RequestTags of(JsonNode tags, Set<ValidationMessage> violations) {
        if (tags == null || !tags.isObject()) {
            return new RequestTags(Map.of(), null);
        }
        for (ValidationMessage violation : violations) {
            if (violation.getInstanceLocation().getNameCount() > 0
                    && "tags".equals(violation.getInstanceLocation().getName(0))) {
                return new RequestTags(Map.of(), null);
            }
        }
        Map<String, String> valid = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> tag : tags.properties()) {
            if (!tag.getValue().isTextual()) {
                return new RequestTags(Map.of(), null);
            }
            String path = FieldPaths.property("tags", tag.getKey());
            String value = tag.getValue().textValue();
            if (tag.getKey().codePoints().anyMatch(HeaderText::breaksLine)) {
                return new RequestTags(Map.of(), path + ": the name contains a control character");
            }
            if (value.codePoints().anyMatch(HeaderText::breaksLine)) {
                return new RequestTags(Map.of(), path + ": contains a control character");
            }
            int keyBytes = tag.getKey().getBytes(StandardCharsets.UTF_8).length;
            if (keyBytes > MAX_TAG_NAME_BYTES) {
                return new RequestTags(Map.of(), path + ": the name is " + keyBytes
                        + " bytes of UTF-8, more than the limit of " + MAX_TAG_NAME_BYTES);
            }
            int valueBytes = value.getBytes(StandardCharsets.UTF_8).length;
            if (valueBytes > MAX_TAG_VALUE_BYTES) {
                return new RequestTags(Map.of(), path + ": " + valueBytes + " bytes of UTF-8, more than the limit of "
                        + MAX_TAG_VALUE_BYTES);
            }
            valid.put(tag.getKey(), value);
        }
        return new RequestTags(Collections.unmodifiableMap(valid), null);
    }
}
