package io.mailgateway.request;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.JsonParserDelegate;

/**
 * Counts array elements, object members and values while the tree is being built and stops at the first one over
 * its limit, so a body of millions of tiny values is refused before those values exist on the heap.
 */
final class ShapeCheckingParser extends JsonParserDelegate {

    private static final int MAX_PATH = 200;

    private final JsonLimits limits;
    // entries per open container, innermost last; the depth limit keeps the stack small
    private final int[] counts;
    private int depth;
    private long values;

    ShapeCheckingParser(JsonParser parser, JsonLimits limits) {
        super(parser);
        this.limits = limits;
        this.counts = new int[limits.maxDepth() + 2];
    }

    @Override
    public JsonToken nextToken() throws IOException {
        JsonToken token = delegate.nextToken();
        if (token == null) {
            return null;
        }
        switch (token) {
            case FIELD_NAME -> {
                if (++counts[depth - 1] > limits.maxObjectMembers()) {
                    throw new ShapeLimitException(path(delegate.getParsingContext().getParent()) + ": more than "
                            + limits.maxObjectMembers() + " members, the limit of GATEWAY_MAX_JSON_OBJECT_MEMBERS");
                }
            }
            case START_OBJECT, START_ARRAY -> {
                value();
                // Jackson refuses nesting beyond the depth limit before this could overflow
                counts[depth++] = 0;
            }
            case END_OBJECT, END_ARRAY -> depth--;
            default -> value();
        }
        return token;
    }

    private void value() {
        if (++values > limits.maxValues()) {
            throw new ShapeLimitException(path(delegate.getParsingContext()) + ": more than " + limits.maxValues()
                    + " values in the request, the limit of GATEWAY_MAX_JSON_VALUES");
        }
        JsonStreamContext container = delegate.getParsingContext();
        if (token() == JsonToken.START_ARRAY || token() == JsonToken.START_OBJECT) {
            container = container.getParent();
        }
        if (container != null && container.inArray() && ++counts[depth - 1] > limits.maxArrayElements()) {
            throw new ShapeLimitException(path(container) + ": more than " + limits.maxArrayElements()
                    + " elements, the limit of GATEWAY_MAX_JSON_ARRAY_ELEMENTS");
        }
    }

    private JsonToken token() {
        return delegate.currentToken();
    }

    /** The field path of a parsing context, such as {@code data.items[3].name}, shortened to a readable length. */
    static String path(JsonStreamContext context) {
        StringBuilder path = new StringBuilder();
        append(path, context);
        String text = FieldPaths.orBody(path.toString());
        return text.length() > MAX_PATH ? text.substring(0, MAX_PATH) + "..." : text;
    }

    private static void append(StringBuilder path, JsonStreamContext context) {
        if (context == null || context.inRoot()) {
            return;
        }
        append(path, context.getParent());
        if (context.inArray()) {
            path.replace(0, path.length(), FieldPaths.index(path.toString(), Math.max(context.getCurrentIndex(), 0)));
        } else if (context.getCurrentName() != null) {
            path.replace(0, path.length(), FieldPaths.property(path.toString(), context.getCurrentName()));
        }
    }

    /** A body over one of the shape limits; the message names the field path and the limit. */
    static final class ShapeLimitException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        ShapeLimitException(String detail) {
            super(detail, null, false, false);
        }
    }
}
