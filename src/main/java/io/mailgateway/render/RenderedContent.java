package io.mailgateway.render;

/**
 * The rendered parts of one mail; {@code html} or {@code text} is null when the template has no such part,
 * and {@code locale} is the locale directory that was actually used (for example {@code de} for a request in {@code de-AT}).
 */
public record RenderedContent(String subject, String html, String text, String locale) {
}
