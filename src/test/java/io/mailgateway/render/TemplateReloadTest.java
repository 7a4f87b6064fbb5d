package io.mailgateway.render;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class TemplateReloadTest {

    private static final Instant T0 = Instant.parse("2025-01-01T10:00:00Z");

    @TempDir
    Path tempDir;

    private Path root;

    @BeforeEach
    void createRoot() throws IOException {
        root = Files.createDirectories(tempDir.resolve("templates"));
    }

    /** A file of a working template edited in place, and the rendered part that shows the edit. */
    record Edit(String description, Map<String, String> files, String editedFile, String newContent,
            Function<RenderedContent, String> part, String before, String after) {
        @Override
        public String toString() {
            return description;
        }
    }

    static Stream<Edit> edits() {
        return Stream.of(
                // same size on purpose: only the last-modified time tells the change apart
                new Edit("edited template", Map.of("welcome/default/subject.mustache", "Version A",
                        "welcome/default/text.mustache", "Hi"),
                        "welcome/default/subject.mustache", "Version B", RenderedContent::subject, "Version A", "Version B"),
                new Edit("edited partial", Map.of("_partials/footer.text.mustache", "-- Footer A",
                        "welcome/default/subject.mustache", "Welcome",
                        "welcome/default/text.mustache", "Hi\n{{> _partials/footer.text}}"),
                        "_partials/footer.text.mustache", "-- Footer B", RenderedContent::text, "Hi\n-- Footer A",
                        "Hi\n-- Footer B"));
    }

    @ParameterizedTest(name = "{0} is picked up without restart")
    @MethodSource("edits")
    void editIsPickedUpWithoutRestart(Edit edit) throws IOException {
        for (Map.Entry<String, String> file : edit.files().entrySet()) {
            write(file.getKey(), file.getValue(), T0);
        }
        TemplateRenderer renderer = TemplateRenderer.fromDirectory(root, Duration.ZERO);
        assertThat(edit.part().apply(renderer.render("welcome", null, Map.of()))).isEqualTo(edit.before());

        write(edit.editedFile(), edit.newContent(), T0.plusSeconds(1));

        assertThat(edit.part().apply(renderer.render("welcome", null, Map.of()))).isEqualTo(edit.after());
    }

    @Test
    void addedLocaleIsPickedUpWithoutRestart() throws IOException {
        write("welcome/default/subject.mustache", "Welcome", T0);
        write("welcome/default/text.mustache", "Hi", T0);
        TemplateRenderer renderer = TemplateRenderer.fromDirectory(root, Duration.ZERO);
        assertThat(renderer.render("welcome", "de-AT", Map.of()).locale()).isEqualTo("default");

        write("welcome/de/subject.mustache", "Willkommen", T0);
        write("welcome/de/text.mustache", "Hallo", T0);

        RenderedContent content = renderer.render("welcome", "de-AT", Map.of());
        assertThat(content.locale()).isEqualTo("de");
        assertThat(content.subject()).isEqualTo("Willkommen");
    }

    @Test
    void addedTemplateIsPickedUpWithoutRestart() throws IOException {
        TemplateRenderer renderer = TemplateRenderer.fromDirectory(root, Duration.ZERO);
        assertThat(renderer.exists("welcome")).isFalse();

        write("welcome/default/subject.mustache", "Welcome", T0);
        write("welcome/default/text.mustache", "Hi", T0);

        assertThat(renderer.exists("welcome")).isTrue();
        assertThat(renderer.render("welcome", null, Map.of()).text()).isEqualTo("Hi");
    }

    @Test
    void deletedTemplateBecomesNotFound() throws IOException {
        write("welcome/default/subject.mustache", "Welcome", T0);
        write("welcome/default/text.mustache", "Hi", T0);
        TemplateRenderer renderer = TemplateRenderer.fromDirectory(root, Duration.ZERO);
        renderer.render("welcome", null, Map.of());

        deleteRecursively(root.resolve("welcome"));

        assertThatThrownBy(() -> renderer.render("welcome", null, Map.of()))
                .isInstanceOf(TemplateNotFoundException.class);
    }

    @Test
    void folderIsNotCheckedMoreOftenThanTheInterval() throws IOException {
        write("welcome/default/subject.mustache", "Version A", T0);
        write("welcome/default/text.mustache", "Hi", T0);
        TemplateRenderer renderer = TemplateRenderer.fromDirectory(root, Duration.ofHours(1));
        renderer.render("welcome", null, Map.of());

        write("welcome/default/subject.mustache", "Version B", T0.plusSeconds(1));

        assertThat(renderer.render("welcome", null, Map.of()).subject()).isEqualTo("Version A");
    }

    @Test
    void kubernetesConfigMapSwapIsPickedUp() throws IOException {
        // a ConfigMap volume: visible names link through ..data to a timestamped directory, and an update
        // writes a new directory and atomically re-points ..data at it
        write("..2025_01_01_10_00_00.1/welcome/default/subject.mustache", "Version A", T0);
        write("..2025_01_01_10_00_00.1/welcome/default/text.mustache", "Hi", T0);
        symlink(root.resolve("..data"), Path.of("..2025_01_01_10_00_00.1"));
        symlink(root.resolve("welcome"), Path.of("..data/welcome"));
        TemplateRenderer renderer = TemplateRenderer.fromDirectory(root, Duration.ZERO);
        assertThat(renderer.render("welcome", null, Map.of()).subject()).isEqualTo("Version A");

        // identical sizes and times: only the followed links reveal the new content
        write("..2025_01_01_10_05_00.2/welcome/default/subject.mustache", "Version B", T0);
        write("..2025_01_01_10_05_00.2/welcome/default/text.mustache", "Hi", T0);
        symlink(root.resolve("..data_tmp"), Path.of("..2025_01_01_10_05_00.2"));
        Files.move(root.resolve("..data_tmp"), root.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
        deleteRecursively(root.resolve("..2025_01_01_10_00_00.1"));

        assertThat(renderer.render("welcome", null, Map.of()).subject()).isEqualTo("Version B");
    }

    @Test
    void templatesRootThatIsASymlinkIsFollowedWhenRepointed() throws IOException {
        Path a = Files.createDirectories(tempDir.resolve("a"));
        Path b = Files.createDirectories(tempDir.resolve("b"));
        for (Path dir : new Path[] {a, b}) {
            Files.createDirectories(dir.resolve("welcome/default"));
            write(dir.resolve("welcome/default/subject.mustache"), "From " + dir.getFileName(), T0);
            write(dir.resolve("welcome/default/text.mustache"), "Hi", T0);
        }
        Path mount = tempDir.resolve("mount");
        symlink(mount, a);
        TemplateRenderer renderer = TemplateRenderer.fromDirectory(mount, Duration.ZERO);
        assertThat(renderer.render("welcome", null, Map.of()).subject()).isEqualTo("From a");

        symlink(tempDir.resolve("mount_tmp"), b);
        Files.move(tempDir.resolve("mount_tmp"), mount, StandardCopyOption.ATOMIC_MOVE);

        assertThat(renderer.render("welcome", null, Map.of()).subject()).isEqualTo("From b");
    }

    @Test
    void editBehindASymlinkIsPickedUp() throws IOException {
        Path elsewhere = tempDir.resolve("elsewhere");
        write(elsewhere.resolve("welcome/default/subject.mustache"), "Version A", T0);
        write(elsewhere.resolve("welcome/default/text.mustache"), "Hi", T0);
        symlink(root.resolve("welcome"), elsewhere.resolve("welcome"));
        TemplateRenderer renderer = TemplateRenderer.fromDirectory(root, Duration.ZERO);
        assertThat(renderer.render("welcome", null, Map.of()).subject()).isEqualTo("Version A");

        write(elsewhere.resolve("welcome/default/subject.mustache"), "Version B", T0.plusSeconds(1));

        assertThat(renderer.render("welcome", null, Map.of()).subject()).isEqualTo("Version B");
    }

    private void write(String relativePath, String content, Instant lastModified) throws IOException {
        write(root.resolve(relativePath), content, lastModified);
    }

    private static void write(Path file, String content, Instant lastModified) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
        Files.setLastModifiedTime(file, FileTime.from(lastModified));
    }

    private static void symlink(Path link, Path target) throws IOException {
        try {
            Files.createSymbolicLink(link, target);
        } catch (UnsupportedOperationException | FileSystemException e) {
            assumeTrue(false, "symbolic links are not available here: " + e);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
