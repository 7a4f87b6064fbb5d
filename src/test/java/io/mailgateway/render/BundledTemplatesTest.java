package io.mailgateway.render;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BundledTemplatesTest {

    private static final List<String> SHIPPED = List.of("welcome", "order-confirmation");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tempDir;

    @Test
    void everyShippedTemplateRendersInEveryLocaleWithItsSampleData() throws IOException {
        TemplateRenderer renderer = TemplateRenderer.bundled();

        for (String name : SHIPPED) {
            for (String locale : List.of("default", "de")) {
                RenderedContent content = renderer.render(name, locale, sample(name));

                assertThat(content.locale()).isEqualTo(locale);
                assertThat(content.subject()).as(name + " " + locale).contains("Acme Shop").doesNotContain("\n");
                assertThat(content.html()).as(name + " " + locale)
                        .startsWith("<!DOCTYPE html>")
                        .contains("<html lang=\"" + (locale.equals("de") ? "de" : "en") + "\">")
                        .contains("Jane Doe")
                        .doesNotContain("{{", "http://", "<img", "<link", "<script");
                assertThat(content.text()).as(name + " " + locale)
                        .contains("Jane Doe")
                        .contains("\n-- \nAcme Shop\nhttps://shop.example.com\n")
                        .doesNotContain("{{", "<p");
            }
        }
    }

    @Test
    void shippedOrderConfirmationListsTheItems() throws IOException {
        RenderedContent content = TemplateRenderer.bundled().render("order-confirmation", "de-AT", sample("order-confirmation"));

        assertThat(content.locale()).isEqualTo("de");
        assertThat(content.subject()).isEqualTo("Ihre Bestellung A-10042 bei Acme Shop");
        assertThat(content.text()).contains("- 2 x Coffee beans, 1 kg: 39.80 EUR\n- 1 x Ceramic mug: 25.00 EUR\n")
                .contains("Gesamt: 64.80 EUR");
        assertThat(content.html()).contains(">Coffee beans, 1 kg</td>", ">Ceramic mug</td>", ">64.80 EUR</td>");
    }

    @Test
    void shippedTemplatesFailWhenRequestDataIsIncomplete() throws IOException {
        Map<String, Object> data = sample("order-confirmation");
        data.remove("order");

        assertThatThrownBy(() -> TemplateRenderer.bundled().render("order-confirmation", "en", data))
                .isInstanceOf(RenderFailedException.class)
                .hasMessageContaining("missing variable 'order.no'");
    }

    @Test
    void layoutsAndPartialsAreNotTemplates() {
        TemplateRenderer renderer = TemplateRenderer.bundled();

        assertThat(renderer.exists("_layouts")).isFalse();
        assertThat(renderer.exists("_partials")).isFalse();
    }

    @Test
    void bundledTemplatesAreReadFromInsideAJar() throws Exception {
        Path jar = tempDir.resolve("app.jar");
        packTemplatesInto(jar);

        // no parent loader, so only the jar can answer for templates/
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            TemplateRenderer fromJar = TemplateRenderer.bundled(loader);
            RenderedContent content = fromJar.render("welcome", "de-at", sample("welcome"));

            assertThat(content).isEqualTo(TemplateRenderer.bundled().render("welcome", "de-at", sample("welcome")));
            assertThat(content.locale()).isEqualTo("de");
            assertThat(fromJar.exists("order-confirmation")).isTrue();
        }
    }

    private static Map<String, Object> sample(String name) throws IOException {
        try (InputStream in = BundledTemplatesTest.class.getClassLoader().getResourceAsStream("templates/" + name + "/sample.json")) {
            assertThat(in).as("sample.json of " + name).isNotNull();
            return JSON.readValue(in, new TypeReference<>() { });
        }
    }

    private static void packTemplatesInto(Path jar) throws IOException, URISyntaxException {
        Path templates = Path.of(BundledTemplatesTest.class.getClassLoader().getResource("templates/").toURI());
        try (OutputStream file = Files.newOutputStream(jar);
             JarOutputStream out = new JarOutputStream(file);
             Stream<Path> paths = Files.walk(templates)) {
            for (Path path : paths.sorted().toList()) {
                String name = "templates/" + templates.relativize(path).toString().replace('\\', '/');
                if (Files.isDirectory(path)) {
                    out.putNextEntry(new JarEntry(name.endsWith("/") ? name : name + "/"));
                } else {
                    out.putNextEntry(new JarEntry(name));
                    Files.copy(path, out);
                }
                out.closeEntry();
            }
        }
    }
}
