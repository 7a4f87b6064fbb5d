package io.mailgateway.render;

/**
 * The template exists but could not be rendered, for example because a variable is missing from the data
 * or a template, layout or partial is broken.
 */
public class RenderFailedException extends RenderException {

    public static final String CATEGORY = "render-failed";

    public RenderFailedException(String detail) {
        this(detail, null);
    }

    public RenderFailedException(String detail, Throwable cause) {
        super(CATEGORY, detail, cause);
    }
}
