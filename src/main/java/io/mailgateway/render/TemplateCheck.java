package io.mailgateway.render;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.mailgateway.request.MailRequest;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Renders every template of a templates folder in each of its locales with the template's {@code sample.json},
 * exactly as the gateway would for a request, and reports what would fail or look wrong in a sent mail.
 */
public final class TemplateCheck {

    /**
     * Largest rendered HTML body, in UTF-8 bytes. Gmail clips an HTML body larger than about 102 KB and hides
     * the rest (footer and unsubscribe link included) behind "View entire message"; 100 KiB stays below that.
     */
    public static final int MAX_HTML_BYTES = 100 * 1024;

    private static final String SAMPLE = "sample.json";
    private static final String DEFAULT_LOCALE = "default";
    private static final TypeReference<Map<String, Object>> PLAIN_MAP = new TypeReference<>() {
    };
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /**
     * The outcome for one template and locale folder ({@code locale} null when the finding is about the whole
     * template); {@code problem} is null when it renders.
     */
    public record Finding(String template, String locale, String problem) {

        public boolean ok() {
            return problem == null;
        }

        /** {@code name/locale}, or {@code name} alone for a finding about the whole template. */
        public String where() {
            return locale == null ? template : template + "/" + locale;
        }
    }

    /**
     * One template in one locale folder rendered with its sample data: the finding, and the rendered content when
     * there is any ({@code content} is null when it did not render, and for findings about the whole template).
     */
    public record Rendering(Finding finding, RenderedContent content) {
    }

    private TemplateCheck() {
    }

    /**
     * Checks every template below root, in name and locale order.
     *
     * @throws IllegalArgumentException when root is not a directory
     * @throws IllegalStateException    when root cannot be listed
     */
    public static List<Finding> check(Path root) {
        TemplateRenderer renderer = TemplateRenderer.fromDirectory(root);
        TemplateFiles files = new TemplateFiles(root.toAbsolutePath().normalize());
        ContentRenderer content = new ContentRenderer(renderer);
        List<String> folders;
        try {
            folders = files.templateFolders();
        } catch (TemplateProblem e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        List<Finding> findings = new ArrayList<>();
        for (String name : folders) {
            checkTemplate(files, renderer, content, name).forEach(rendering -> findings.add(rendering.finding()));
        }
        return findings;
    }

    /**
     * Renders one template of root, like {@link #check}, and keeps what each locale folder rendered; empty when
     * root has no template folder of that name.
     *
     * @throws IllegalArgumentException when root is not a directory
     * @throws IllegalStateException    when root cannot be listed
     */
    public static List<Rendering> render(Path root, String name) {
        TemplateRenderer renderer = TemplateRenderer.fromDirectory(root);
        TemplateFiles files = new TemplateFiles(root.toAbsolutePath().normalize());
        try {
            if (!files.templateFolders().contains(name)) {
                return List.of();
            }
        } catch (TemplateProblem e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        return checkTemplate(files, renderer, new ContentRenderer(renderer), name);
    }

    private static List<Rendering> checkTemplate(TemplateFiles files, TemplateRenderer renderer,
            ContentRenderer content, String name) {
        if (!TemplateRenderer.isTemplateName(name)) {
            return List.of(wholeTemplate(Names.printable(name), "not a valid template name (letters, digits, "
                    + "'-' and '_', starting with a letter or digit, at most 64 characters); requests cannot use it"));
        }
        Map<String, String> locales;
        try {
            locales = files.locales(name);
        } catch (TemplateProblem e) {
            return List.of(wholeTemplate(name, e.getMessage()));
        }
        if (locales.isEmpty()) {
            return List.of(wholeTemplate(name, "no locale folders; put the parts in " + name + "/"
                    + DEFAULT_LOCALE + "/"));
        }
        List<Rendering> renderings = new ArrayList<>();
        if (!locales.containsKey(DEFAULT_LOCALE)) {
            renderings.add(wholeTemplate(name, "no " + DEFAULT_LOCALE + "/ folder; requests without a locale, "
                    + "or in one the template lacks, fail with template-not-found"));
        }
        Map<String, Object> data = null;
        String sampleProblem = null;
        try {
            data = sample(files, name);
        } catch (SampleProblem e) {
            sampleProblem = e.getMessage();
        }
        for (String directory : locales.values()) {
            renderings.add(sampleProblem != null
                    ? new Rendering(new Finding(name, directory, sampleProblem), null)
                    : renderLocale(renderer, content, name, directory, data));
        }
        return renderings;
    }

    private static Rendering wholeTemplate(String name, String problem) {
        return new Rendering(new Finding(name, null, problem), null);
    }

    private static Rendering renderLocale(TemplateRenderer renderer, ContentRenderer content, String name,
            String locale, Map<String, Object> data) {
        RenderedContent rendered;
        try {
            // through ContentRenderer, so the subject is held to the same rules as for a real request
            rendered = content.render(new MailRequest("template-check", name, locale, null, null, null, null, null,
                    null, null, null, data, null, null, null), RenderPermits.Turn.none());
        } catch (RenderException e) {
            return new Rendering(new Finding(name, locale, e.getMessage()), null);
        }
        return new Rendering(new Finding(name, locale, problemOf(renderer, rendered, name, locale, data)), rendered);
    }

    /** What is wrong with content that did render: a subject written on several lines, or an oversized body. */
    private static String problemOf(TemplateRenderer renderer, RenderedContent rendered, String name, String locale,
            Map<String, Object> data) {
        try {
            String subject = renderer.renderAsWritten(name, locale, data).subject().strip();
            long lines = subject.lines().count();
            if (lines > 1) {
                return "subject: spans " + lines + " lines; the gateway joins them with spaces, write it on one line";
            }
        } catch (RenderException e) {
            return e.getMessage();
        }
        if (rendered.html() != null) {
            int bytes = rendered.html().getBytes(StandardCharsets.UTF_8).length;
            if (bytes > MAX_HTML_BYTES) {
                return "html: " + bytes + " bytes, more than the limit of " + MAX_HTML_BYTES
                        + " (Gmail clips larger HTML bodies)";
            }
        }
        return null;
    }

    private static Map<String, Object> sample(TemplateFiles files, String name) {
        String path = name + "/" + SAMPLE;
        String text;
        try {
            text = files.read(path);
        } catch (TemplateProblem e) {
            throw new SampleProblem(e.getMessage());
        }
        if (text == null) {
            throw new SampleProblem("no sample data: " + path + " not found");
        }
        Object value;
        try {
            value = JSON.readValue(text, Object.class);
        } catch (JsonProcessingException e) {
            // the original message, without Jackson's source excerpt; the location says where to look
            String at = e.getLocation() == null ? ""
                    : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
            throw new SampleProblem(path + " is not valid JSON" + at + ": " + e.getOriginalMessage());
        }
        if (!(value instanceof Map)) {
            throw new SampleProblem(path + " must hold a JSON object, like the data of a request");
        }
        return JSON.convertValue(value, PLAIN_MAP);
    }

    private static final class SampleProblem extends RuntimeException {
        SampleProblem(String message) {
            super(message, null, false, false);
        }
    }
}
