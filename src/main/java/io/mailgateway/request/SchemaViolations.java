package io.mailgateway.request;

import com.networknt.schema.JsonNodePath;
import com.networknt.schema.ValidationMessage;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** Turns networknt validation messages into short "field: reason" details. */
final class SchemaViolations {

    static final int MAX_REPORTED = 3;

    /*
     * The cross-field rules live in named $defs of the schema. Their raw messages talk about the
     * branches of anyOf/if/then ("required property 'html' not found") which would mislead a
     * producer, so each rule gets one message that says what to do.
     */
    private static final Map<String, String> RULES = Map.of(
            "templateOrInlineContent", "template: required unless subject and text or html are given",
            "noInlineContentWithTemplate", "template: cannot be combined with inline text or html",
            "atLeastOneRecipient", "to: at least one recipient is required in to, cc or bcc");

    private SchemaViolations() {
    }

    /** The first few distinct descriptions in sorted order, so the same body always gives the same detail. */
    static String describe(Collection<ValidationMessage> messages) {
        Set<String> descriptions = new TreeSet<>();
        for (ValidationMessage message : messages) {
            descriptions.add(describe(message));
        }
        return descriptions.stream().limit(MAX_REPORTED).collect(Collectors.joining("; "));
    }

    static String describe(ValidationMessage message) {
        String rule = rule(message);
        if (rule != null) {
            return RULES.get(rule);
        }
        String path = path(message.getInstanceLocation());
        Object[] arguments = message.getArguments();
        switch (message.getType()) {
            case "required":
                return FieldPaths.property(path, message.getProperty()) + ": required";
            case "additionalProperties":
                return FieldPaths.property(path, message.getProperty()) + ": unknown property";
            case "propertyNames":
                return FieldPaths.property(path, message.getProperty()) + ": invalid name, " + argument(arguments, 1);
            default:
                return FieldPaths.orBody(path) + ": " + reason(message.getType(), arguments, message.getError());
        }
    }

    private static String reason(String keyword, Object[] arguments, String fallback) {
        switch (keyword) {
            case "type":
                return "must be " + typeNames(argument(arguments, 1));
            case "pattern":
                return "must match " + argument(arguments, 0);
            case "minLength":
                return "1".equals(argument(arguments, 0))
                        ? "must not be empty"
                        : "must be at least " + argument(arguments, 0) + " characters long";
            case "maxLength":
                return "must be at most " + argument(arguments, 0) + " characters long";
            case "minItems":
                return "must have at least " + argument(arguments, 0) + " items";
            case "maxItems":
                return "must have at most " + argument(arguments, 0) + " items";
            case "minProperties":
                return "must have at least " + argument(arguments, 0) + " entries";
            case "maxProperties":
                return "must have at most " + argument(arguments, 0) + " entries";
            default:
                return fallback;
        }
    }

    /** "string" becomes "a string", "[string, object]" becomes "a string or an object". */
    private static String typeNames(String expected) {
        String[] names = expected.replaceAll("[\\[\\] ]", "").split(",");
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < names.length; i++) {
            if (i > 0) {
                text.append(" or ");
            }
            text.append(names[i].matches("[aeiou].*") ? "an " : "a ").append(names[i]);
        }
        return text.toString();
    }

    private static String argument(Object[] arguments, int index) {
        return arguments != null && arguments.length > index ? String.valueOf(arguments[index]) : "?";
    }

    /** The $defs rule a message comes from, or null when it comes from an ordinary property schema. */
    private static String rule(ValidationMessage message) {
        JsonNodePath fragment = message.getSchemaLocation().getFragment();
        if (fragment == null || fragment.getNameCount() < 2 || !"$defs".equals(fragment.getName(0))) {
            return null;
        }
        String name = fragment.getName(1);
        return RULES.containsKey(name) ? name : null;
    }

    /** networknt's instance location ($.to[0].address) as a bracket path (to[0].address); the root is "". */
    private static String path(JsonNodePath location) {
        String path = "";
        for (int i = 0; i < location.getNameCount(); i++) {
            Object element = location.getElement(i);
            path = element instanceof Integer index ? FieldPaths.index(path, index) : FieldPaths.property(path, String.valueOf(element));
        }
        return path;
    }
}
