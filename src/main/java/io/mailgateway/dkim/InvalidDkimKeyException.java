package io.mailgateway.dkim;

import java.nio.file.Path;

/** A file of the keys directory that cannot sign; the message names the file and the problem, never its content. */
public class InvalidDkimKeyException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;

    InvalidDkimKeyException(Path file, String problem) {
        super("DKIM key " + file + " " + problem);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
