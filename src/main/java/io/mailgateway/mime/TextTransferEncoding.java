package io.mailgateway.mime;

/**
 * The Content-Transfer-Encoding Jakarta Mail would choose for a text body sent as UTF-8, found from the text itself.
 *
 * <p>Left to choose, Jakarta Mail encodes the whole body to UTF-8 once more while saving the message, only to count
 * its bytes. The choice is the same: 7bit when every byte is printable US-ASCII (tab, CR and LF allowed) and no line
 * is longer than 998 bytes; otherwise quoted-printable when such bytes are the majority, else base64.
 */
final class TextTransferEncoding {

    // RFC 5322 section 2.1.1: a line is at most 998 characters, without its CRLF.
    private static final int MAX_LINE_BYTES = 998;

    private TextTransferEncoding() {
    }

    static String of(String text) {
        long ascii = 0;
        long nonAscii = 0;
        long lineBytes = 0;
        boolean longLine = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            int bytes;
            if (c == '\r' || c == '\n') {
                ascii++;
                lineBytes = 0;
                continue;
            } else if (c < 0x80) {
                bytes = 1;
                if (c >= 0x7f || c < 0x20 && c != '\t') {
                    nonAscii++;
                } else {
                    ascii++;
                }
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes = 4;
                nonAscii += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                // UTF-8 has no form for a lone surrogate: the encoder writes '?' in its place.
                bytes = 1;
                ascii++;
            } else {
                bytes = c < 0x800 ? 2 : 3;
                nonAscii += bytes;
            }
            lineBytes += bytes;
            longLine |= lineBytes > MAX_LINE_BYTES;
        }
        if (nonAscii == 0) {
            return longLine ? "quoted-printable" : "7bit";
        }
        return ascii > nonAscii ? "quoted-printable" : "base64";
    }
}
