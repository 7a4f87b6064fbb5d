package io.mailgateway.render;

/**
 * Makes names taken from requests or templates safe to quote in error messages and logs.
 */
final class Names {

    private static final int MAX_QUOTED_LENGTH = 80;

    private Names() {
    }

    static String printable(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length() && i < MAX_QUOTED_LENGTH; i++) {
            char c = value.charAt(i);
            out.append(Character.isISOControl(c) ? '?' : c);
        }
        if (value.length() > MAX_QUOTED_LENGTH) {
            out.append("...");
        }
        return out.toString();
    }
}
