package io.mailgateway.render;

import java.io.Writer;

/**
 * The rendered parts of one mail (subject, html, text), counted together in bytes of UTF-8 as they are written:
 * rendering stops with {@link RenderTooLargeException} at the first write past the limit, so a template looping over
 * a large array never holds more than the limit in memory, however much it would have produced.
 */
final class BoundedOutput {

    private final long maxBytes;
    private long bytes;

    BoundedOutput(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    static BoundedOutput unlimited() {
        return new BoundedOutput(Long.MAX_VALUE);
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
        private final StringBuilder text = new StringBuilder();

        private Part(String name) {
            this.name = name;
        }

        @Override
        public void write(int c) {
            take(name, utf8Bytes(String.valueOf((char) c), 0, 1));
            text.append((char) c);
        }

        @Override
        public void write(char[] chars, int offset, int length) {
            take(name, utf8Bytes(java.nio.CharBuffer.wrap(chars), offset, offset + length));
            text.append(chars, offset, length);
        }

        @Override
        public void write(String chars, int offset, int length) {
            take(name, utf8Bytes(chars, offset, offset + length));
            text.append(chars, offset, offset + length);
        }

        @Override
        public Writer append(CharSequence chars) {
            CharSequence value = chars == null ? "null" : chars;
            take(name, utf8Bytes(value, 0, value.length()));
            text.append(value);
            return this;
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

        @Override
        public String toString() {
            return text.toString();
        }
    }
}
