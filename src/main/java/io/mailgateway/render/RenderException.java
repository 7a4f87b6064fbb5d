package io.mailgateway.render;

/**
 * A mail could not be rendered; the message starts with the category and is safe to show to the producer of the request.
 */
public class RenderException extends RuntimeException {

    private final String category;
    private final String detail;

    protected RenderException(String category, String detail, Throwable cause) {
        super(category + ": " + detail, cause);
        this.category = category;
        this.detail = detail;
    }

    /** What went wrong, naming the part and the variable or template, without the category. */
    public String detail() {
        return detail;
    }

    /** A short, stable error category such as {@code template-not-found} or {@code render-failed}. */
    public String category() {
        return category;
    }
}
