package io.mailgateway.config;

import io.mailgateway.request.AllowedHeaders;
import io.mailgateway.request.JsonLimits;
import io.mailgateway.request.RequestLimits;

/**
 * What a request may hold, and the largest record the gateway writes back to Kafka with one.
 *
 * <p>Owns {@code gateway.limits.*} except the render and message limits, {@code gateway.allowed-headers} and
 * {@code gateway.kafka.max-record-bytes}.
 */
public record RequestSettings(RequestLimits limits, AllowedHeaders allowedHeaders, int maxRecordBytes) {

    public RequestSettings {
        // A request that could not be written to the retry topic would be sent again and again instead.
        if (maxRecordBytes < limits.maxRequestBytes() + 65536) {
            throw new IllegalArgumentException("GATEWAY_MAX_RECORD_BYTES (" + maxRecordBytes
                    + ") must be at least GATEWAY_MAX_REQUEST_BYTES + 65536 (" + (limits.maxRequestBytes() + 65536)
                    + ")");
        }
    }

    public static RequestSettings from(Settings source) {
        JsonLimits json = new JsonLimits(source.integer("gateway.limits.max-json-depth"),
                source.integer("gateway.limits.max-json-string-length"),
                source.integer("gateway.limits.max-json-number-length"),
                source.integer("gateway.limits.max-json-array-elements"),
                source.integer("gateway.limits.max-json-object-members"),
                source.integer("gateway.limits.max-json-values"));
        RequestLimits limits = new RequestLimits(source.integer("gateway.limits.max-request-bytes"),
                source.integer("gateway.limits.max-attachment-bytes"), source.integer("gateway.limits.max-attachments"),
                source.integer("gateway.limits.max-recipients"), source.integer("gateway.limits.max-subject-length"),
                json);
        return new RequestSettings(limits, AllowedHeaders.parse(source.text("gateway.allowed-headers")),
                source.integer("gateway.kafka.max-record-bytes"));
    }
}
