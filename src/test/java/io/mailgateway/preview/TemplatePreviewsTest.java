package io.mailgateway.preview;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.mailgateway.preview.TemplatePreviews.LocaleStatus;
import io.mailgateway.preview.TemplatePreviews.Preview;
import io.mailgateway.preview.TemplatePreviews.Summary;

class TemplatePreviewsTest {

    @TempDir
    Path work;

    private Path root;
    private TemplatePreviews previews;

    @BeforeEach
    void templates() throws IOException {
        root = work.resolve("templates");
        file("welcome/default/subject.mustache", "Welcome, {{name}}");
        file("welcome/default/html.mustache", "<p>Hi {{name}}</p>");
        file("welcome/default/text.mustache", "Hi {{name}}");
        file("welcome/de/subject.mustache", "Willkommen, {{name}}");
        file("welcome/de/text.mustache", "Hallo {{name}}");
        file("welcome/sample.json", "{\"name\": \"Jane\"}");
        file("broken/default/subject.mustache", "Order {{order.no}}");
        file("broken/default/html.mustache", "<p>{{order.total}}</p>");
        file("broken/sample.json", "{\"order\": {\"no\": \"A-1\"}}");
        // a file next to the templates folder that no name may reach
        Files.createDirectories(work.resolve("secret/default"));
        Files.writeString(work.resolve("secret/default/subject.mustache"), "secret");
        previews = new TemplatePreviews(root);
    }

    @Test
    void listsEveryTemplateWithItsLocalesAndProblems() {
        assertThat(previews.list()).containsExactly(
                new Summary("broken", java.util.List.of(new LocaleStatus("default", false)),
                        java.util.List.of("broken/default: render-failed: html: missing variable 'order.total'")),
                new Summary("welcome", java.util.List.of(new LocaleStatus("de", true), new LocaleStatus("default", true)),
                        java.util.List.of()));
    }

    @Test
    void previewsTheDefaultLocaleUnlessOneIsAsked() {
        Preview preview = previews.preview("welcome", null).orElseThrow();

        assertThat(preview.locale()).isEqualTo("default");
        assertThat(preview.content().subject()).isEqualTo("Welcome, Jane");
        assertThat(preview.content().html()).isEqualTo("<p>Hi Jane</p>");
        assertThat(preview.content().text()).isEqualTo("Hi Jane");
        assertThat(preview.problems()).isEmpty();

        Preview german = previews.preview("welcome", "de").orElseThrow();
        assertThat(german.content().subject()).isEqualTo("Willkommen, Jane");
        assertThat(german.content().html()).isNull();
    }

    @Test
    void templateThatDoesNotRenderHasItsProblemAndNoContent() {
        Preview preview = previews.preview("broken", "").orElseThrow();

        assertThat(preview.content()).isNull();
        assertThat(preview.problems()).containsExactly("broken/default: render-failed: html: missing variable 'order.total'");
    }

    @Test
    void unknownLocaleIsNotFound() {
        assertThat(previews.preview("welcome", "fr")).isEmpty();
        assertThat(previews.preview("welcome", "../de")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"missing", "..", "../secret", "secret", "welcome/de", "welcome/../welcome", "_layouts",
            ".hidden", "/etc/passwd", "C:\\templates", "welcome%2F..", ""})
    void namesThatAreNotTemplatesOfTheFolderAreNotFound(String name) {
        assertThat(previews.preview(name, null)).isEmpty();
    }

    @Test
    void nullNameIsNotFound() {
        assertThat(previews.preview(null, null)).isEmpty();
        assertThat(TemplatePreviews.isTemplateName(null)).isFalse();
    }

    private void file(String path, String text) throws IOException {
        Path file = root.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }
}
