package io.mailgateway.render;

import io.mailgateway.request.MailRequest;

/** Gives a request its subject and bodies: from its template, or as written inline in the request. */
public final class ContentRenderer {

    private static final int DEFAULT_MAX_SUBJECT_LENGTH = 998;

    private final TemplateRenderer templates;
    private final int maxSubjectLength;
    private final long maxRenderedBytes;

    public ContentRenderer(TemplateRenderer templates) {
        this(templates, DEFAULT_MAX_SUBJECT_LENGTH);
    }

    /** Renders with templates; a subject longer than maxSubjectLength characters fails the request. */
    public ContentRenderer(TemplateRenderer templates, int maxSubjectLength) {
        this(templates, maxSubjectLength, Long.MAX_VALUE);
    }

    /**
     * Renders with templates; a subject longer than maxSubjectLength characters fails the request, and so does a
     * template that renders more than maxRenderedBytes (the message size limit: such a mail could never be sent),
     * which is stopped before it holds more than that.
     */
    public ContentRenderer(TemplateRenderer templates, int maxSubjectLength, long maxRenderedBytes) {
        this.templates = templates;
        this.maxSubjectLength = maxSubjectLength;
        this.maxRenderedBytes = maxRenderedBytes;
    }

    /** Renders; once the template's output grows large, it waits for the request's turn (see {@link RenderPermits}). */
    public RenderedContent render(MailRequest request, RenderPermits.Turn turn) {
        RenderedContent content;
        if (request.template() == null) {
            // Inline content is used literally: it is never evaluated as a template.
            content = new RenderedContent(request.subject(), request.html(), request.text(), request.locale());
        } else {
            content = templates.render(request.template(), request.locale(), request.data(), maxRenderedBytes, turn);
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
        // The request's own subject is checked on parsing; data rendered into a template subject is checked here.
        int length = content.subject().codePointCount(0, content.subject().length());
        if (length > maxSubjectLength) {
            throw new RenderFailedException("subject: the rendered subject has " + length
                    + " characters, more than the limit of " + maxSubjectLength);
        }
        return content;
    }

    private static boolean breaksHeader(int c) {
        return Character.isISOControl(c) || c == '\u2028' || c == '\u2029' || Character.getType(c) == Character.FORMAT;
    }
}
