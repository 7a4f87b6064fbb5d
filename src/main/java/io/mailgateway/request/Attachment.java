package io.mailgateway.request;

import java.util.Objects;

/** One attachment of a mail request, with its content already decoded from base64. */
public record Attachment(String filename, String contentType, byte[] content) {

    public Attachment {
        Objects.requireNonNull(filename, "filename");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(content, "content");
    }

    @Override
    public String toString() {
        // the default would print the array's identity, which tells a reader nothing
        return "Attachment[filename=" + filename + ", contentType=" + contentType + ", " + content.length + " bytes]";
    }
}
