package io.mailgateway.yaml;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.ValidationMessage;

/**
 * Words a schema violation of a settings file as "key path: what is wrong", in the schema's own words where it has
 * an {@value #ERROR_MESSAGE} (one text, or one per keyword); never with a value of the file, which may be a secret.
 */
final class SchemaMessages {

    /** The keyword with which a schema words its rule for people, instead of the validator's generic message. */
    static final String ERROR_MESSAGE = "errorMessage";
    private static final String UNKNOWN_KEY = "additionalProperties";

    private final JsonNode schema;

    SchemaMessages(JsonNode schema) {
        this.schema = schema;
    }

    /** One violation: an unknown key first, since a misspelt key usually also explains a missing one. */
    String describe(Collection<ValidationMessage> violations) {
        ValidationMessage chosen = violations.stream().filter(v -> UNKNOWN_KEY.equals(v.getType())).findFirst()
                .orElse(violations.iterator().next());
        return describe(chosen);
    }

    private String describe(ValidationMessage violation) {
        String path = KeyPaths.of(violation.getInstanceLocation());
        JsonNode rule = ruleOf(violation.getSchemaLocation().getFragment());
        String property = violation.getProperty();
        if (UNKNOWN_KEY.equals(violation.getType())) {
            return KeyPaths.child(path, property) + ": unknown key; known keys: " + String.join(", ", knownKeys(rule));
        }
        JsonNode errorMessage = rule.path(ERROR_MESSAGE);
        if (errorMessage.isObject()) {
            errorMessage = errorMessage.path(violation.getType());
        }
        if (errorMessage.isTextual()) {
            return at(path, errorMessage.asText());
        }
        return switch (violation.getType()) {
            case "required" -> path.isEmpty()
                    ? "needs a top-level '" + property + ":' " + kindOf(rule.path("properties").path(property))
                    : KeyPaths.child(path, property) + ": missing";
            case "type" -> at(path, "must be " + typeNames(rule.path("type")));
            case "minItems" -> at(path, rule.path("minItems").asInt() == 1
                    ? "must be a non-empty list" : "must have at least " + rule.path("minItems").asInt() + " entries");
            case "minimum" -> at(path, "must be at least " + rule.path("minimum").asText());
            case "maximum" -> at(path, "must be at most " + rule.path("maximum").asText());
            case "not" -> at(path, "not allowed");
            default -> at(path, "breaks the rule '" + violation.getType() + "' of the file's schema");
        };
    }

    /** The schema object a violated keyword belongs to, such as the one with {@code "required": [...]}. */
    private JsonNode ruleOf(JsonNodePath keywordLocation) {
        JsonNode node = schema;
        if (keywordLocation == null) {
            return node;
        }
        for (int i = 0; i < keywordLocation.getNameCount() - 1; i++) {
            Object element = keywordLocation.getElement(i);
            node = element instanceof Integer index ? node.path(index) : node.path(String.valueOf(element));
        }
        return node;
    }

    // a key the schema declares only to refuse it with a reason (such as an inline password) is not offered
    private static List<String> knownKeys(JsonNode rule) {
        List<String> known = new ArrayList<>();
        rule.path("properties").properties().forEach(entry -> {
            if (!entry.getValue().has("not")) {
                known.add(entry.getKey());
            }
        });
        return known;
    }

    private static String kindOf(JsonNode property) {
        String type = property.path("type").asText("");
        return switch (type) {
            case "object" -> "map";
            case "array" -> "list";
            default -> "entry";
        };
    }

    /** "object" becomes "a map", ["array", "null"] becomes "a list or empty". */
    private static String typeNames(JsonNode type) {
        List<String> names = new ArrayList<>();
        if (type.isArray()) {
            type.forEach(each -> names.add(typeName(each.asText())));
        } else {
            names.add(typeName(type.asText()));
        }
        return String.join(" or ", names);
    }

    private static String typeName(String type) {
        return switch (type) {
            case "object" -> "a map";
            case "array" -> "a list";
            case "integer" -> "a whole number";
            case "number" -> "a number";
            case "boolean" -> "true or false";
            case "null" -> "empty";
            default -> "a " + type;
        };
    }

    private static String at(String path, String problem) {
        return path.isEmpty() ? problem : path + ": " + problem;
    }
}
