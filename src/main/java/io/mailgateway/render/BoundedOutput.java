package io.mailgateway.render;

import java.io.Writer;
import java.nio.CharBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The rendered parts of one mail (subject, html, text), counted together in bytes of UTF-8 as they are written:
 * rendering stops with {@link RenderTooLargeException} at the first write past the limit, so a template looping over
 * a large array never holds more than the limit in memory, however much it would have produced. Past the permits'
 * free bytes, a render waits for its turn (see {@link RenderPermits}).
 */
final class BoundedOutput {

    // Text is kept in pieces of about this many characters: a single buffer would double its capacity as it grows,
    // holding up to three times the text while it copies.
    private static final int PIECE = 8192;

    private final long maxBytes;
    private final RenderPermits.Turn turn;
    private long bytes;
    private boolean large;

    BoundedOutput(long maxBytes, RenderPermits.Turn turn) {
        this.maxBytes = maxBytes;
        this.turn = turn;
    }

    static BoundedOutput unlimited() {
        return new BoundedOutput(Long.MAX_VALUE, RenderPermits.Turn.none());
    }

    /** A writer for one part; what it holds counts against this output's limit. */
    Part part(String name) {
        return new Part(name);
    }

    private void take(String part, long more) {
        bytes += more;
        if (bytes > maxBytes) {
            throw new RenderTooLargeException(part + ": the rendered mail exceeds the limit of " + maxBytes
                    + " bytes (GATEWAY_MAX_MESSAGE_BYTES)");
        }
        if (!large && bytes > turn.freeBytes()) {
            large = true;
            turn.enterLarge();
        }
    }

    /** Bytes of UTF-8 these characters encode to; a surrogate pair counts 2 + 2. */
    static long utf8Bytes(CharSequence chars, int from, int to) {
        long bytes = 0;
        for (int i = from; i < to; i++) {
            char c = chars.charAt(i);
            bytes += c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3;
        }
        return bytes;
    }

    /** One part's text; not thread-safe, as a render runs on one thread. */
    final class Part extends Writer {

        private final String name;
        private final List<String> pieces = new ArrayList<>();
        private StringBuilder text = new StringBuilder();

        private Part(String name) {
            this.name = name;
        }

        @Override
        public void write(int c) {
            take(name, utf8Bytes(String.valueOf((char) c), 0, 1));
            text.append((char) c);
            cut();
        }

        @Override
        public void write(char[] chars, int offset, int length) {
            take(name, utf8Bytes(CharBuffer.wrap(chars), offset, offset + length));
            text.append(chars, offset, length);
            cut();
        }

        @Override
        public void write(String chars, int offset, int length) {
            take(name, utf8Bytes(chars, offset, offset + length));
            text.append(chars, offset, offset + length);
            cut();
        }

        @Override
        public Writer append(CharSequence chars) {
            CharSequence value = chars == null ? "null" : chars;
            take(name, utf8Bytes(value, 0, value.length()));
            text.append(value);
            cut();
            return this;
        }

        private void cut() {
            if (text.length() >= PIECE) {
                pieces.add(text.toString());
                if (text.capacity() > 2 * PIECE) {
                    // one large write grew it; do not keep that much spare room for the small writes that follow
                    text = new StringBuilder(PIECE);
                } else {
                    text.setLength(0);
                }
            }
        }

        String name() {
            return name;
        }

        @Override
        public void flush() {
            // held in memory until the whole part is rendered
        }

        @Override
        public void close() {
            // nothing to release
        }

        /** The whole part, built once at its exact size. */
        @Override
        public String toString() {
            if (pieces.isEmpty()) {
                return text.toString();
            }
            pieces.add(text.toString());
            text.setLength(0);
            String whole = String.join("", pieces);
            pieces.clear();
            pieces.add(whole);
            return whole;
        }
    }
}
