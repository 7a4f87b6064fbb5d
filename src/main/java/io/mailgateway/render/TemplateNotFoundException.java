package io.mailgateway.render;

/**
 * The requested template does not exist (or its name is not a plain template name).
 */
public class TemplateNotFoundException extends RenderException {

    public static final String CATEGORY = "template-not-found";

    public TemplateNotFoundException(String detail) {
        super(CATEGORY, detail, null);
    }
}
