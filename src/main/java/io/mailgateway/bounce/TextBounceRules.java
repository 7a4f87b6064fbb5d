package io.mailgateway.bounce;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads plain-text bounces that carry no RFC 3464 status by a table of patterns kept in
 * {@code bounces/text-rules.yaml}: the first rule that matches says what the bounce means.
 */
public final class TextBounceRules {

    /** Where the bundled table lives on the class path. */
    public static final String RESOURCE = "bounces/text-rules.yaml";
    /** Recipients taken from one bounce: a text naming more is a list, not a bounce about our mail. */
    static final int MAX_RECIPIENTS = 50;
    private static final Pattern STATUS = Pattern.compile("[245]\\.\\d{1,3}\\.\\d{1,3}");
    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private final List<Rule> rules;

    private TextBounceRules(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    /** The table bundled with the gateway; a broken table stops start-up with a message naming the rule. */
    public static TextBounceRules bundled() {
        try (InputStream in = TextBounceRules.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + ": not on the class path");
            }
            return of(List.of(YAML.readValue(in, RuleDefinition[].class)));
        } catch (IOException e) {
            throw new UncheckedIOException(RESOURCE + ": " + e.getMessage(), e);
        }
    }

    /** A table of the given rules, checked as the bundled one is. */
    public static TextBounceRules of(List<RuleDefinition> definitions) {
        List<Rule> rules = new ArrayList<>();
        for (RuleDefinition definition : definitions) {
            rules.add(Rule.checked(definition));
        }
        return new TextBounceRules(rules);
    }

    /** The names of the rules, in the order they are tried. */
    public List<String> names() {
        return rules.stream().map(rule -> rule.definition().name()).toList();
    }

    /**
     * What the first matching rule reads from the text: one line per recipient it names (one with a null recipient
     * when it names none); empty when no rule matches.
     */
    List<DeliveryReport.ReportedRecipient> read(String text) {
        for (Rule rule : rules) {
            Matcher match = rule.pattern().matcher(text);
            if (match.find()) {
                return rule.recipients(match, text);
            }
        }
        return List.of();
    }

    /**
     * One line of the table.
     *
     * @param name    a short name for logs and tests
     * @param pattern a regular expression, matched case-insensitively with {@code ^} and {@code $} at line ends; an
     *                optional named group {@code recipient} takes the address, {@code status} the enhanced status
     *                code and {@code diagnostic} the server's reply
     * @param meaning {@code hard} (the address will never work: failed, 5.x.x), {@code soft} (failed this time, may
     *                work later: failed, 4.x.x) or {@code delayed} (a warning: still being tried, 4.x.x)
     * @param status  the status the bounce implies when the text quotes none, of the meaning's class
     */
    public record RuleDefinition(String name, String pattern, String meaning, String status) {
    }

    private record Rule(RuleDefinition definition, Pattern pattern, DeliveryReport.Action action, char statusClass,
            Set<String> groups) {

        static Rule checked(RuleDefinition definition) {
            String name = definition.name() == null || definition.name().isBlank() ? "(unnamed)" : definition.name();
            if (definition.pattern() == null || definition.pattern().isBlank()) {
                throw invalid(name, "pattern: missing");
            }
            Pattern pattern;
            try {
                pattern = Pattern.compile(definition.pattern(),
                        Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.MULTILINE);
            } catch (PatternSyntaxException e) {
                throw invalid(name, "pattern: " + e.getDescription());
            }
            String meaning = definition.meaning() == null ? "" : definition.meaning().toLowerCase(Locale.ROOT);
            DeliveryReport.Action action = switch (meaning) {
                case "hard", "soft" -> DeliveryReport.Action.FAILED;
                case "delayed" -> DeliveryReport.Action.DELAYED;
                default -> throw invalid(name, "meaning: must be hard, soft or delayed");
            };
            char statusClass = "hard".equals(meaning) ? '5' : '4';
            if (definition.status() == null || !STATUS.matcher(definition.status()).matches()
                    || definition.status().charAt(0) != statusClass) {
                throw invalid(name, "status: must be an enhanced status code " + statusClass + ".x.x for " + meaning);
            }
            Set<String> groups = new LinkedHashSet<>();
            for (String group : List.of("recipient", "status", "diagnostic")) {
                if (pattern.pattern().contains("(?<" + group + ">")) {
                    groups.add(group);
                }
            }
            return new Rule(definition, pattern, action, statusClass, groups);
        }

        private static IllegalStateException invalid(String rule, String problem) {
            return new IllegalStateException(RESOURCE + ": rule " + rule + ": " + problem);
        }

        List<DeliveryReport.ReportedRecipient> recipients(Matcher match, String text) {
            List<DeliveryReport.ReportedRecipient> lines = new ArrayList<>();
            Set<String> seen = new LinkedHashSet<>();
            do {
                String recipient = group(match, "recipient");
                if (recipient != null && !seen.add(recipient.toLowerCase(Locale.ROOT))) {
                    continue;
                }
                lines.add(new DeliveryReport.ReportedRecipient(recipient, action, status(match), null,
                        diagnostic(match, text)));
            } while (groups.contains("recipient") && lines.size() < MAX_RECIPIENTS && match.find());
            return lines;
        }

        private String status(Matcher match) {
            String quoted = group(match, "status");
            return quoted != null && quoted.charAt(0) == statusClass ? quoted : definition.status();
        }

        /** The whole line the server's reply is on: patterns match a telling phrase, people read the line. */
        private String diagnostic(Matcher match, String input) {
            String text = match.group();
            if (group(match, "diagnostic") != null) {
                int start = match.start("diagnostic");
                int end = match.end("diagnostic");
                while (start > 0 && input.charAt(start - 1) != '\n') {
                    start--;
                }
                while (end < input.length() && input.charAt(end) != '\n') {
                    end++;
                }
                text = input.subSequence(start, end).toString();
            }
            text = text.replaceAll("\\s+", " ").trim();
            return text.length() > ReportFields.MAX_VALUE_CHARS
                    ? text.substring(0, ReportFields.MAX_VALUE_CHARS) : text;
        }

        private String group(Matcher match, String name) {
            if (!groups.contains(name)) {
                return null;
            }
            String value = match.group(name);
            return value == null || value.isBlank() ? null : value.trim();
        }
    }
}
