package io.mailgateway.request;

/** The rule for text that ends up in a mail header: nothing that could end, split or disguise the line. */
final class HeaderText {

    private HeaderText() {
    }

    /**
     * Whether a code point could end or split a header line, or hide what a header says: control characters
     * (C0, DEL, C1 including NEL), format characters such as bidi overrides and zero-width joiners,
     * line and paragraph separators, and lone surrogates.
     */
    static boolean breaksLine(int codePoint) {
        switch (Character.getType(codePoint)) {
            case Character.CONTROL:
            case Character.FORMAT:
            case Character.LINE_SEPARATOR:
            case Character.PARAGRAPH_SEPARATOR:
            case Character.SURROGATE:
                return true;
            default:
                return false;
        }
    }
}
