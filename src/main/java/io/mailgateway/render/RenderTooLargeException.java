package io.mailgateway.render;

/** A template rendered more than the message size limit allows; rendering stopped there. */
public class RenderTooLargeException extends RenderException {

    public static final String CATEGORY = "too-large";

    public RenderTooLargeException(String detail) {
        super(CATEGORY, detail, null);
    }
}
