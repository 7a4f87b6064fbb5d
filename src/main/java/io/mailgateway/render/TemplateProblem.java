package io.mailgateway.render;

/**
 * A problem found inside mustache.java while compiling or running a template; carries a message that names
 * template files only relative to the templates root, so it can be passed on to producers.
 */
final class TemplateProblem extends RuntimeException {

    TemplateProblem(String message) {
        super(message);
    }

    TemplateProblem(String message, Throwable cause) {
        super(message, cause);
    }
}
