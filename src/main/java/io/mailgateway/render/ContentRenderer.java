package io.mailgateway.render;

import io.mailgateway.request.MailRequest;

/** Gives a request its subject and bodies: from its template, or as written inline in the request. */
public final class ContentRenderer {

    private final TemplateRenderer templates;

    public ContentRenderer(TemplateRenderer templates) {
        this.templates = templates;
    }

    public RenderedContent render(MailRequest request) {
        RenderedContent content;
        if (request.template() == null) {
            // Inline content is used literally: it is never evaluated as a template.
            content = new RenderedContent(request.subject(), request.html(), request.text(), request.locale());
        } else {
            content = templates.render(request.template(), request.locale(), request.data());
            if (request.subject() != null) {
                content = new RenderedContent(request.subject(), content.html(), content.text(), content.locale());
            }
        }
        // A rendered subject becomes a header line: data must not be able to start a new header.
        if (content.subject() == null || content.subject().isBlank()) {
            throw new RenderFailedException("subject: the template rendered an empty subject");
        }
        if (content.subject().codePoints().anyMatch(ContentRenderer::breaksHeader)) {
            throw new RenderFailedException("subject: contains a control character");
        }
        return content;
    }

    private static boolean breaksHeader(int c) {
        return Character.isISOControl(c) || c == '\u2028' || c == '\u2029' || Character.getType(c) == Character.FORMAT;
    }
}
