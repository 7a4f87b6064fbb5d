package io.mailgateway.render;

import java.io.StringReader;

import com.github.mustachejava.Mustache;

/** The parts of one template in one locale, compiled once and executed for every request. */
record CompiledTemplate(Mustache subject, Mustache html, Mustache text) {

    /**
     * Compiles the subject and the html and/or text part of a template's locale folder.
     *
     * @throws RenderFailedException when the subject or both bodies are missing, or a part does not compile
     */
    static CompiledTemplate compile(TemplateFiles files, StrictMustacheFactory htmlFactory,
            StrictMustacheFactory plainFactory, String templateName, String directory) {
        String base = templateName + "/" + directory + "/";
        Mustache subject = compilePart(files, base, "subject", plainFactory);
        if (subject == null) {
            throw new RenderFailedException("subject: template '" + templateName + "' has no "
                    + directory + "/subject" + TemplateFiles.SUFFIX);
        }
        Mustache html = compilePart(files, base, "html", htmlFactory);
        Mustache text = compilePart(files, base, "text", plainFactory);
        if (html == null && text == null) {
            throw new RenderFailedException("template '" + templateName + "' has neither " + directory + "/html"
                    + TemplateFiles.SUFFIX + " nor " + directory + "/text" + TemplateFiles.SUFFIX);
        }
        return new CompiledTemplate(subject, html, text);
    }

    private static Mustache compilePart(TemplateFiles files, String base, String part, StrictMustacheFactory factory) {
        String file = base + part + TemplateFiles.SUFFIX;
        try {
            String source = files.read(file);
            return source == null ? null : factory.compile(new StringReader(source), file);
        } catch (RuntimeException e) {
            throw failed(part, e);
        }
    }

    /** Renders the parts with the data into the output, which stops a render that grows too large. */
    RenderedContent render(Object scope, BoundedOutput output, boolean oneLineSubject, String directory) {
        String renderedSubject = execute(subject, output.part("subject"), scope);
        return new RenderedContent(
                oneLineSubject ? oneLine(renderedSubject) : renderedSubject,
                html == null ? null : execute(html, output.part("html"), scope),
                text == null ? null : execute(text, output.part("text"), scope),
                directory);
    }

    private static String execute(Mustache mustache, BoundedOutput.Part out, Object scope) {
        try {
            mustache.execute(out, scope);
        } catch (RuntimeException e) {
            // mustache.java may wrap what the writer threw
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof RenderTooLargeException tooLarge) {
                    throw tooLarge;
                }
            }
            throw failed(out.name(), e);
        }
        return out.toString();
    }

    private static RenderFailedException failed(String part, RuntimeException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof TemplateProblem) {
                return new RenderFailedException(part + ": " + cause.getMessage(), e);
            }
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new RenderFailedException(part + ": " + message, e);
    }

    // a line break in a subject would end the mail header and let the rest pose as further headers
    private static String oneLine(String subject) {
        return subject.strip().replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }
}
