package io.mailgateway.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import io.mailgateway.render.TemplateRenderer;

/**
 * How mails are rendered and composed: the templates, and the sizes a subject, a rendered mail and a composed
 * message may reach.
 *
 * <p>Owns {@code gateway.templates-dir}, {@code gateway.limits.max-message-bytes}, {@code gateway.limits.large-render*}
 * and reads {@code gateway.limits.max-subject-length} (a request limit) for the rendered subject.
 *
 * @param templatesDir empty: ./templates when there is one, else the templates bundled in the jar
 */
public record RenderSettings(Optional<Path> templatesDir, int maxSubjectLength, long maxMessageBytes,
        long largeRenderBytes, int largeRenders) {

    private static final Path WORKING_TEMPLATES = Path.of("templates");

    public RenderSettings {
        if (templatesDir.isPresent() && !Files.isDirectory(templatesDir.get())) {
            throw new IllegalStateException("GATEWAY_TEMPLATES_DIR " + templatesDir.get() + " is not a directory");
        }
    }

    public static RenderSettings from(Settings source) {
        return new RenderSettings(source.optionalPath("gateway.templates-dir"),
                source.integer("gateway.limits.max-subject-length"), source.whole("gateway.limits.max-message-bytes"),
                source.whole("gateway.limits.large-render-bytes"), source.integer("gateway.limits.large-renders"));
    }

    /** The templates mails are rendered from, read from disk where there is a folder. */
    public TemplateRenderer templates() {
        Path dir = templatesDir.orElse(WORKING_TEMPLATES);
        return Files.isDirectory(dir) ? TemplateRenderer.fromDirectory(dir) : TemplateRenderer.bundled();
    }

    /** The folder of those same templates, for the preview pages. */
    public Path templatesFolder() {
        return templatesDir.orElseGet(() -> Files.isDirectory(WORKING_TEMPLATES) ? WORKING_TEMPLATES
                : TemplateRenderer.bundledFolder());
    }
}
