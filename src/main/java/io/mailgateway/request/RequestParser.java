package io.mailgateway.request;

import static io.mailgateway.request.RequestRejectedException.INVALID_REQUEST;
import static io.mailgateway.request.RequestRejectedException.TOO_LARGE;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Parses a mail request v1 record value and validates it against the published schema and the gateway's own rules. */
public final class RequestParser {

    static final String SCHEMA_BASE = "https://mailgateway.io/schemas/";
    static final String SCHEMA_ID = SCHEMA_BASE + "mail-request-v1.schema.json";

    // the schema has the same pattern, but networknt matches with find() and a JDK '$' also matches before a final line break
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private final RequestLimits limits;
    private final AllowedHeaders allowedHeaders;
    private final JsonObjectReader json;
    private final JsonSchema schema;

    /** A parser that allows every X- header, the gateway's default. */
    public RequestParser(RequestLimits limits) {
        this(limits, AllowedHeaders.anyXHeader());
    }

    public RequestParser(RequestLimits limits, AllowedHeaders allowedHeaders) {
        this.limits = limits;
        this.allowedHeaders = allowedHeaders;
        this.json = new JsonObjectReader(limits.json());
        // the $id is mapped to the classpath so that loading never goes to the network
        JsonSchemaFactory schemaFactory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
                builder -> builder.schemaMappers(mappers -> mappers.mapPrefix(SCHEMA_BASE, "classpath:schemas/")));
        this.schema = schemaFactory.getSchema(SchemaLocation.of(SCHEMA_ID));
        // compiled now rather than lazily on the first record, when several threads may race for it
        this.schema.initializeValidators();
    }

    /**
     * Returns the validated request, or throws {@link RequestRejectedException} ({@link NotJsonException} when the
     * value is not a JSON object at all); nothing else is thrown, whatever the bytes.
     */
    public MailRequest parse(byte[] recordValue) {
        if (recordValue == null) {
            throw new NotJsonException("body: not a JSON object (the record has no value)");
        }
        if (recordValue.length > limits.maxRequestBytes()) {
            throw new RequestRejectedException(TOO_LARGE,
                    "body: " + recordValue.length + " bytes exceeds the limit of " + limits.maxRequestBytes(), null, Map.of());
        }
        ObjectNode body = json.read(recordValue);
        String id = validId(body.get("id"));
        Set<ValidationMessage> violations = schema.validate(body);
        RequestTags tags = RequestTags.of(body.get("tags"), violations);
        if (!violations.isEmpty()) {
            throw new RequestRejectedException(INVALID_REQUEST, SchemaViolations.describe(violations), id, tags.echoed());
        }
        if (tags.problem() != null) {
            throw new RequestRejectedException(INVALID_REQUEST, tags.problem(), id, Map.of());
        }
        return new BodyReader(limits, allowedHeaders, json.mapper(), body, id, tags.echoed()).read();
    }

    private static String validId(JsonNode id) {
        return id != null && id.isTextual() && ID.matcher(id.textValue()).matches() ? id.textValue() : null;
    }
}
