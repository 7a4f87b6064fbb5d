package io.mailgateway.render;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Renders a named, localised mail template (subject, html, text) with request data, from a templates folder
 * or from the copy bundled on the classpath.
 */
public final class TemplateRenderer {

    private static final Pattern TEMPLATE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
    private static final Pattern LOCALE = Pattern.compile("[A-Za-z0-9]{1,8}([-_][A-Za-z0-9]{1,8})*");
    private static final String DEFAULT_LOCALE = "default";
    private static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofSeconds(1);
    private static final long NEVER = -1;

    private final TemplateFiles files;
    private final StrictMustacheFactory htmlFactory;
    private final StrictMustacheFactory plainFactory;
    private final long checkIntervalNanos;
    private final Object checkLock = new Object();
    private volatile Generation generation;
    private volatile long nextCheck;

    private TemplateRenderer(Path root, long checkIntervalNanos) {
        this.files = new TemplateFiles(root);
        this.htmlFactory = new StrictMustacheFactory(files, true);
        this.plainFactory = new StrictMustacheFactory(files, false);
        this.checkIntervalNanos = checkIntervalNanos;
        this.generation = new Generation(checkIntervalNanos == NEVER ? List.of() : files.fingerprint());
        this.nextCheck = System.nanoTime() + Math.max(checkIntervalNanos, 0);
    }

    /** Templates from a folder; changes in it are picked up without restart, checked at most once per second. */
    public static TemplateRenderer fromDirectory(Path root) {
        return fromDirectory(root, DEFAULT_CHECK_INTERVAL);
    }

    /** Templates from a folder; changes in it are picked up without restart, checked at most once per interval. */
    public static TemplateRenderer fromDirectory(Path root, Duration checkInterval) {
        Objects.requireNonNull(root, "root");
        if (checkInterval.isNegative()) {
            throw new IllegalArgumentException("checkInterval must not be negative: " + checkInterval);
        }
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException("templates folder not found: " + root);
        }
        // no toRealPath(): a mounted folder may be a symlink that is later pointed elsewhere, and we must follow that
        return new TemplateRenderer(root.toAbsolutePath().normalize(), checkInterval.toNanos());
    }

    /** The templates shipped in the application jar, under classpath {@code templates/}; read-only, so never reloaded. */
    public static TemplateRenderer bundled() {
        return bundled(TemplateRenderer.class.getClassLoader());
    }

    static TemplateRenderer bundled(ClassLoader classLoader) {
        return new TemplateRenderer(bundledFolder(classLoader), NEVER);
    }

    /** The folder of the templates shipped in the application jar, for tools that read them as files. */
    public static Path bundledFolder() {
        return bundledFolder(TemplateRenderer.class.getClassLoader());
    }

    private static Path bundledFolder(ClassLoader classLoader) {
        URL url = classLoader.getResource("templates/");
        if (url == null) {
            throw new IllegalStateException("no templates/ folder on the classpath");
        }
        return classpathFolder(url);
    }

    /**
     * Renders all parts of a template in the best matching locale.
     *
     * @throws TemplateNotFoundException when there is no such template, or it has neither the locale nor a default
     * @throws RenderFailedException     when a variable is missing or a template, layout or partial is broken
     */
    public RenderedContent render(String templateName, String locale, Map<String, Object> data) {
        return render(templateName, locale, data, true, BoundedOutput.unlimited());
    }

    /**
     * Like {@link #render(String, String, Map)}, but stops as soon as subject, html and text together exceed
     * maxBytes of UTF-8, before more than that is held in memory.
     *
     * @throws RenderTooLargeException when the rendered parts exceed maxBytes
     */
    public RenderedContent render(String templateName, String locale, Map<String, Object> data, long maxBytes) {
        return render(templateName, locale, data, maxBytes, RenderPermits.Turn.none());
    }

    /** Like {@link #render(String, String, Map, long)}, waiting for the request's turn once the render grows large. */
    public RenderedContent render(String templateName, String locale, Map<String, Object> data, long maxBytes,
            RenderPermits.Turn turn) {
        return render(templateName, locale, data, true, new BoundedOutput(maxBytes, turn));
    }

    /** Like {@link #render} but with the subject as the template wrote it, line breaks included; for checks. */
    RenderedContent renderAsWritten(String templateName, String locale, Map<String, Object> data) {
        return render(templateName, locale, data, false, BoundedOutput.unlimited());
    }

    private RenderedContent render(String templateName, String locale, Map<String, Object> data, boolean oneLineSubject,
            BoundedOutput output) {
        if (!isTemplateName(templateName)) {
            throw notFound(templateName);
        }
        Generation current = current();
        Map<String, String> locales = locales(current, templateName);
        if (locales.isEmpty()) {
            throw notFound(templateName);
        }
        String directory = pickLocale(locales, locale);
        if (directory == null) {
            throw new TemplateNotFoundException("template '" + templateName + "' has no locale matching '"
                    + Names.printable(locale) + "' and no default");
        }
        CompiledTemplate template = current.compiled.computeIfAbsent(templateName + "/" + directory,
                key -> CompiledTemplate.compile(files, htmlFactory, plainFactory, templateName, directory));
        return template.render(data == null ? Map.of() : data, output, oneLineSubject, directory);
    }

    /** Whether a template of this name exists (in any locale). */
    public boolean exists(String templateName) {
        return isTemplateName(templateName) && !locales(current(), templateName).isEmpty();
    }

    /** How many template files were read so far; lets tests prove that compiled templates are reused. */
    long templateFileReads() {
        return files.reads();
    }

    private Generation current() {
        if (checkIntervalNanos == NEVER || System.nanoTime() - nextCheck < 0) {
            return generation;
        }
        synchronized (checkLock) {
            if (System.nanoTime() - nextCheck >= 0) {
                List<String> fingerprint = files.fingerprint();
                if (!fingerprint.equals(generation.fingerprint)) {
                    generation = new Generation(fingerprint);
                }
                nextCheck = System.nanoTime() + checkIntervalNanos;
            }
            return generation;
        }
    }

    private Map<String, String> locales(Generation current, String templateName) {
        Map<String, String> locales = current.locales.get(templateName);
        if (locales == null) {
            try {
                locales = files.locales(templateName);
            } catch (TemplateProblem e) {
                throw new RenderFailedException(e.getMessage(), e);
            }
            // only existing templates are remembered, so requests for made-up names cannot grow the cache
            if (!locales.isEmpty()) {
                current.locales.put(templateName, locales);
            }
        }
        return locales;
    }

    /** de-AT → de → default; unusable locale strings fall back to default like a missing one. */
    static List<String> localeCandidates(String locale) {
        List<String> candidates = new ArrayList<>();
        if (locale != null && locale.strip().length() <= 64 && LOCALE.matcher(locale.strip()).matches()) {
            String[] parts = TemplateFiles.normaliseLocale(locale.strip()).split("-");
            for (int n = parts.length; n > 0; n--) {
                candidates.add(String.join("-", Arrays.copyOf(parts, n)));
            }
        }
        if (!candidates.contains(DEFAULT_LOCALE)) {
            candidates.add(DEFAULT_LOCALE);
        }
        return candidates;
    }

    private static String pickLocale(Map<String, String> locales, String locale) {
        for (String candidate : localeCandidates(locale)) {
            String directory = locales.get(candidate);
            if (directory != null) {
                return directory;
            }
        }
        return null;
    }

    static boolean isTemplateName(String templateName) {
        return templateName != null && TEMPLATE_NAME.matcher(templateName).matches();
    }

    private static TemplateNotFoundException notFound(String templateName) {
        return new TemplateNotFoundException("no template named '" + Names.printable(templateName) + "'");
    }

    private static Path classpathFolder(URL url) {
        try {
            URI uri = url.toURI();
            if ("jar".equals(uri.getScheme())) {
                try {
                    FileSystems.newFileSystem(uri, Map.of());
                } catch (FileSystemAlreadyExistsException alreadyOpen) {
                    // another renderer opened this jar before; Path.of below uses that file system
                }
            }
            return Path.of(uri);
        } catch (URISyntaxException | IOException e) {
            throw new IllegalStateException("cannot open the bundled templates at " + url, e);
        }
    }

    /** Everything known about one state of the templates folder; replaced as a whole when the folder changes. */
    private static final class Generation {
        final List<String> fingerprint;
        final Map<String, Map<String, String>> locales = new ConcurrentHashMap<>();
        final Map<String, CompiledTemplate> compiled = new ConcurrentHashMap<>();

        Generation(List<String> fingerprint) {
            this.fingerprint = fingerprint;
        }
    }
}
