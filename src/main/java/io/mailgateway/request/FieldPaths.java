package io.mailgateway.request;

import java.util.regex.Pattern;

/** Builds the field paths used in rejection details, such as {@code to[0]}, {@code from.address} or {@code headers.X-Campaign}. */
final class FieldPaths {

    static final String BODY = "body";

    private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final int MAX_QUOTED_NAME = 64;

    private FieldPaths() {
    }

    static String property(String parent, String name) {
        if (PLAIN_NAME.matcher(name).matches()) {
            return parent.isEmpty() ? name : parent + "." + name;
        }
        // names are producer input: quote, shorten and escape them so a detail stays one readable line
        return parent + "[" + quote(name) + "]";
    }

    static String index(String parent, int index) {
        return parent + "[" + index + "]";
    }

    static String orBody(String path) {
        return path.isEmpty() ? BODY : path;
    }

    /** A JSON-style quoted string with everything outside printable ASCII escaped. */
    static String quote(String text) {
        StringBuilder quoted = new StringBuilder("\"");
        int shown = Math.min(text.length(), MAX_QUOTED_NAME);
        for (int i = 0; i < shown; i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                quoted.append('\\').append(c);
            } else if (c >= 0x20 && c < 0x7f) {
                quoted.append(c);
            } else {
                quoted.append(String.format("\\u%04x", (int) c));
            }
        }
        if (shown < text.length()) {
            quoted.append("...");
        }
        return quoted.append('"').toString();
    }
}
