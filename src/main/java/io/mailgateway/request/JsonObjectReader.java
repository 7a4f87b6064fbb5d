package io.mailgateway.request;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.mailgateway.request.ShapeCheckingParser.ShapeLimitException;

/**
 * Reads a record value as one JSON object within the gateway's limits on its shape, or throws
 * {@link NotJsonException} with a one-line detail safe to publish.
 */
final class JsonObjectReader {

    private static final int MAX_JSON_ERROR = 160;
    // Jackson names the method its limit came from: ", from `StreamReadConstraints.getMaxNestingDepth()`)"
    private static final Pattern CONSTRAINT_SOURCE = Pattern.compile(", from `[^`]*`\\)");

    private final JsonLimits limits;
    private final ObjectMapper mapper;

    JsonObjectReader(JsonLimits limits) {
        this.limits = limits;
        JsonFactory jsonFactory = JsonFactory.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(limits.maxDepth())
                        .maxStringLength(limits.maxStringLength())
                        .maxNumberLength(limits.maxNumberLength())
                        // a member name is a string too; none of the contract's names comes near this
                        .maxNameLength(Math.min(limits.maxStringLength(), StreamReadConstraints.DEFAULT_MAX_NAME_LEN))
                        .build())
                .build();
        this.mapper = JsonMapper.builder(jsonFactory)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
    }

    /** The mapper that read the body, to convert parts of it into plain Java values. */
    ObjectMapper mapper() {
        return mapper;
    }

    ObjectNode read(byte[] recordValue) {
        JsonNode tree;
        // Decoded while parsing, a few kilobytes at a time, rather than into a string of the whole body first: a
        // strict decoder, because Jackson lets some malformed UTF-8 through (overlong forms, encoded surrogates).
        Reader text = new InputStreamReader(new ByteArrayInputStream(recordValue), StandardCharsets.UTF_8.newDecoder());
        JsonParser parser = null;
        try {
            parser = mapper.createParser(text);
            tree = mapper.readTree(new ShapeCheckingParser(parser, limits));
        } catch (ShapeLimitException e) {
            throw NotJsonException.overLimit(e.getMessage());
        } catch (StreamConstraintsException e) {
            throw NotJsonException.overLimit(constraintDetail(e, parser));
        } catch (CharacterCodingException e) {
            throw new NotJsonException("body: not a JSON object (not valid UTF-8)", e);
        } catch (JsonProcessingException e) {
            throw new NotJsonException("body: not a JSON object (" + describe(e) + ")", e);
        } catch (IOException e) {
            // reading from memory, so only the decoder or the parser can end up here
            throw new NotJsonException("body: not a JSON object (unreadable)", e);
        } finally {
            if (parser != null) {
                try {
                    parser.close();
                } catch (IOException e) {
                    // nothing to release but buffers
                }
            }
        }
        if (tree == null || tree.isMissingNode()) {
            throw new NotJsonException("body: not a JSON object (empty)");
        }
        if (!tree.isObject()) {
            throw new NotJsonException("body: not a JSON object (" + tree.getNodeType().name().toLowerCase(Locale.ROOT) + ")");
        }
        return (ObjectNode) tree;
    }

    /**
     * Jackson's words for a body over a shape limit (they start "Document nesting depth", "Number value length",
     * "String value length"), with the field path in front and the gateway's setting instead of Jackson's.
     */
    private String constraintDetail(StreamConstraintsException e, JsonParser parser) {
        String problem = e.getOriginalMessage() == null ? "over a limit" : e.getOriginalMessage();
        String setting = problem.contains("nesting depth") ? "GATEWAY_MAX_JSON_DEPTH"
                : problem.contains("Number value") ? "GATEWAY_MAX_JSON_NUMBER_LENGTH"
                : problem.contains("String value") ? "GATEWAY_MAX_JSON_STRING_LENGTH"
                : "the gateway's limit";
        problem = CONSTRAINT_SOURCE.matcher(problem).replaceAll(", " + setting + ")");
        String path = parser == null ? FieldPaths.BODY : ShapeCheckingParser.path(parser.getParsingContext());
        if (problem.length() > MAX_JSON_ERROR) {
            problem = problem.substring(0, MAX_JSON_ERROR) + "...";
        }
        return path + ": " + problem;
    }

    private static String describe(JsonProcessingException e) {
        String problem = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        if (problem.length() > MAX_JSON_ERROR) {
            problem = problem.substring(0, MAX_JSON_ERROR) + "...";
        }
        JsonLocation location = e.getLocation();
        String where = location == null ? "" : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
        // Jackson quotes offending input in its messages; keep the detail to one safe line
        return "invalid JSON" + where + ": " + problem.codePoints()
                .map(c -> HeaderText.breaksLine(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append);
    }
}
