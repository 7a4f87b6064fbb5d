package io.mailgateway.bounce;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeUtility;

/**
 * Reads the values of report fields as real mail servers write them: any case, folded over lines, with RFC 822
 * comments, a type prefix ({@code rfc822;}, {@code dns;}) and angle brackets that some add and others do not.
 */
final class ReportFields {

    /** A diagnostic longer than this is cut: it is quoted into delivery events, not stored as evidence. */
    static final int MAX_VALUE_CHARS = 1000;
    private static final Pattern COMMENT = Pattern.compile("\\([^()]*\\)");
    private static final Pattern STATUS = Pattern.compile("\\b([245])\\.(\\d{1,3})\\.(\\d{1,3})\\b");
    private static final Pattern XTEXT_CHAR = Pattern.compile("\\+([0-9A-F]{2})");

    private ReportFields() {
    }

    /** The field's first value, unfolded, with runs of white space made one space; null when absent or blank. */
    static String text(InternetHeaders fields, String name) {
        String[] values = fields.getHeader(name);
        if (values == null || values.length == 0 || values[0] == null) {
            return null;
        }
        String value = MimeUtility.unfold(values[0]).replaceAll("\\s+", " ").trim();
        if (value.isEmpty()) {
            return null;
        }
        return value.length() > MAX_VALUE_CHARS ? value.substring(0, MAX_VALUE_CHARS) : value;
    }

    /**
     * A typed value such as {@code rfc822; <Alice@example.org> (comment)}: the part after the type, without comments
     * or brackets; the value as it is when it carries no type.
     */
    static String typedValue(String value) {
        if (value == null) {
            return null;
        }
        String withoutComments = value;
        for (int i = 0; i < 4 && withoutComments.contains("("); i++) {
            withoutComments = COMMENT.matcher(withoutComments).replaceAll(" ");
        }
        int semicolon = withoutComments.indexOf(';');
        String bare = (semicolon >= 0 ? withoutComments.substring(semicolon + 1) : withoutComments).trim();
        if (bare.startsWith("<") && bare.endsWith(">")) {
            bare = bare.substring(1, bare.length() - 1).trim();
        }
        return bare.isEmpty() ? null : bare;
    }

    /** The enhanced status code (RFC 3463) in a value, such as {@code 5.1.1}; null when it has none. */
    static String status(String value) {
        if (value == null) {
            return null;
        }
        Matcher status = STATUS.matcher(value);
        return status.find() ? status.group() : null;
    }

    /** The status's class digit as an action: 5 failed, 4 delayed, 2 delivered; null for no status. */
    static DeliveryReport.Action actionOfStatus(String status) {
        if (status == null) {
            return null;
        }
        return switch (status.charAt(0)) {
            case '5' -> DeliveryReport.Action.FAILED;
            case '4' -> DeliveryReport.Action.DELAYED;
            default -> DeliveryReport.Action.DELIVERED;
        };
    }

    /** An Action field's value ({@code failed}, {@code Delayed (retrying)}); null when it names no known action. */
    static DeliveryReport.Action action(String value) {
        String word = typedValue(value);
        if (word == null) {
            return null;
        }
        word = word.split("[\\s;]", 2)[0].toUpperCase(Locale.ROOT);
        for (DeliveryReport.Action action : DeliveryReport.Action.values()) {
            if (action != DeliveryReport.Action.COMPLAINED && action.name().equals(word)) {
                return action;
            }
        }
        return null;
    }

    /**
     * An envelope id as the gateway sent it: MTAs should quote ENVID decoded, but some copy the xtext form of the
     * SMTP command, where a {@code +} or {@code =} arrives as {@code +2B} or {@code +3D}.
     */
    static String envelopeId(String value) {
        if (value == null) {
            return null;
        }
        Matcher escaped = XTEXT_CHAR.matcher(value);
        StringBuilder decoded = new StringBuilder();
        while (escaped.find()) {
            escaped.appendReplacement(decoded,
                    Matcher.quoteReplacement(String.valueOf((char) Integer.parseInt(escaped.group(1), 16))));
        }
        escaped.appendTail(decoded);
        return decoded.toString();
    }
}
