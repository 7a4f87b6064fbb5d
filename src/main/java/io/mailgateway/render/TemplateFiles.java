package io.mailgateway.render;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads template files and locale directories below one templates root, and fingerprints that root to notice changes.
 */
final class TemplateFiles {

    static final String SUFFIX = ".mustache";

    private static final Pattern LOCALE_DIRECTORY = Pattern.compile("[A-Za-z0-9]{1,8}([-_][A-Za-z0-9]{1,8})*");

    private final Path root;
    private final AtomicLong reads = new AtomicLong();

    TemplateFiles(Path root) {
        this.root = root;
    }

    /**
     * Returns the UTF-8 text of a file given relative to the root, or null when there is no such file.
     * Callers must only pass paths they have validated or built from validated names.
     */
    String read(String relativePath) {
        Path file = root.resolve(relativePath);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        reads.incrementAndGet();
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new TemplateProblem("'" + relativePath + "' is not valid UTF-8", e);
        } catch (IOException e) {
            // the exception message may hold an absolute path, which producers should not see
            throw new TemplateProblem("cannot read '" + relativePath + "'", e);
        }
    }

    /**
     * Returns the locale directories of a template, keyed by their normalised name (lower case, '-' as separator);
     * empty when the template does not exist.
     */
    Map<String, String> locales(String templateName) {
        Path dir = root.resolve(templateName);
        if (!Files.isDirectory(dir)) {
            return Map.of();
        }
        Map<String, String> locales = new TreeMap<>();
        try (Stream<Path> children = Files.list(dir)) {
            children.filter(Files::isDirectory)
                    .map(TemplateFiles::fileName)
                    .filter(name -> LOCALE_DIRECTORY.matcher(name).matches())
                    .sorted()
                    .forEach(name -> locales.putIfAbsent(normaliseLocale(name), name));
        } catch (IOException e) {
            throw new TemplateProblem("cannot list the locales of template '" + templateName + "'", e);
        }
        return Collections.unmodifiableMap(locales);
    }

    /**
     * The folders directly below the root that may be templates, sorted: all but layouts and partials ('_') and
     * hidden folders ('.', e.g. the {@code ..data} of a Kubernetes ConfigMap).
     */
    List<String> templateFolders() {
        try (Stream<Path> children = Files.list(root)) {
            return children.filter(Files::isDirectory)
                    .map(TemplateFiles::fileName)
                    .filter(name -> !name.startsWith("_") && !name.startsWith("."))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new TemplateProblem("cannot list the templates folder", e);
        }
    }

    /**
     * A cheap summary of everything below the root (relative path, last-modified time and size of every file).
     * Symbolic links are followed and dot-directories are included, so a Kubernetes ConfigMap update, which swaps
     * the {@code ..data} link to a freshly written directory, always changes the fingerprint; so does re-pointing
     * a root that is itself a symbolic link.
     */
    List<String> fingerprint() {
        List<String> entries = new ArrayList<>();
        try {
            entries.add("root|" + root.toRealPath());
            Files.walkFileTree(root, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    entries.add(root.relativize(file) + "|" + attrs.lastModifiedTime() + "|" + attrs.size());
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    // files vanish while a folder is being updated; the next check sees the settled state
                    entries.add(root.relativize(file) + "|" + e.getClass().getSimpleName());
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            entries.add("|" + e.getClass().getSimpleName());
        }
        Collections.sort(entries);
        return entries;
    }

    /** How many template files were read so far; lets tests prove that compiled templates are reused. */
    long reads() {
        return reads.get();
    }

    static String normaliseLocale(String locale) {
        return locale.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static String fileName(Path path) {
        // directories inside a jar file system may come with a trailing slash
        String name = path.getFileName().toString();
        return name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
    }
}
