package io.mailgateway.render;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class TemplateRendererTest {

    private static final String NASTY = "Tom & \"Jerry\" <x>";

    @TempDir
    Path tempDir;

    private Path root;

    @BeforeEach
    void createRoot() throws IOException {
        root = Files.createDirectories(tempDir.resolve("templates"));
    }

    // --- escaping -----------------------------------------------------------------------------------------------

    @Test
    void onlyTheHtmlPartIsEscaped() throws IOException {
        template("greet", "default", "Hi {{name}}", "<p>{{name}}</p>", "Hi {{name}}");

        RenderedContent content = renderer().render("greet", null, Map.of("name", NASTY));

        assertThat(content.subject()).isEqualTo("Hi " + NASTY);
        assertThat(content.text()).isEqualTo("Hi " + NASTY);
        assertThat(content.html()).isEqualTo("<p>Tom &amp; &quot;Jerry&quot; &lt;x&gt;</p>");
    }

    // --- strict variables ---------------------------------------------------------------------------------------

    @Test
    void missingVariableInHtmlIsRenderFailed() throws IOException {
        template("order", "default", "Order", "<p>{{order.no}}</p>", "Order");

        RenderFailedException e = catchThrowableOfType(RenderFailedException.class,
                () -> renderer().render("order", null, Map.of("order", Map.of())));

        assertThat(e.category()).isEqualTo("render-failed");
        assertThat(e.getMessage()).isEqualTo("render-failed: html: missing variable 'order.no'");
    }

    /** A template that cannot render: its parts, the layout it may use, the data, and the message expected. */
    record Unrenderable(String description, String name, String subject, String html, String text, String layout,
            Map<String, Object> data, String message) {
        @Override
        public String toString() {
            return description;
        }
    }

    static Stream<Unrenderable> unrenderableTemplates() {
        return Stream.of(
                new Unrenderable("missing variable in the text", "order", "Order", null, "Total: {{order.total}}",
                        null, Map.of(), "render-failed: text: missing variable 'order.total'"),
                new Unrenderable("missing variable in the subject", "order", "Order {{order.no}}", null, "Thanks",
                        null, Map.of(), "render-failed: subject: missing variable 'order.no'"),
                new Unrenderable("null value counts as missing", "greet", "S", null, "Hi {{name}}",
                        null, Collections.singletonMap("name", null), "render-failed: text: missing variable 'name'"),
                new Unrenderable("missing variable in the layout fails the html part", "welcome", "S",
                        "{{< _layouts/base.html}}{{$content}}Hi{{/content}}{{/_layouts/base.html}}", null,
                        "<h1>{{brand.name}}</h1>{{$content}}{{/content}}", Map.of("brand", Map.of()),
                        "render-failed: html: missing variable 'brand.name'"),
                new Unrenderable("missing partial, named", "welcome", "S", null, "Hi\n{{> _partials/nope}}",
                        null, Map.of(), "render-failed: text: partial '_partials/nope' not found"),
                new Unrenderable("missing layout, named", "welcome", "S",
                        "{{< _layouts/gone.html}}{{$content}}x{{/content}}{{/_layouts/gone.html}}", null,
                        null, Map.of(), "render-failed: html: partial '_layouts/gone.html' not found"),
                new Unrenderable("locale without subject", "nosubject", null, null, "Hi", null, Map.of(),
                        "render-failed: subject: template 'nosubject' has no default/subject.mustache"),
                new Unrenderable("locale without html and text", "nobody", "S", null, null, null, Map.of(),
                        "render-failed: template 'nobody' has neither default/html.mustache nor default/text.mustache"));
    }

    @ParameterizedTest(name = "{0} is render-failed")
    @MethodSource("unrenderableTemplates")
    void templateThatCannotRenderIsRenderFailedNamingThePart(Unrenderable template) throws IOException {
        if (template.layout() != null) {
            write("_layouts/base.html.mustache", template.layout());
        }
        template(template.name(), "default", template.subject(), template.html(), template.text());

        assertThatThrownBy(() -> renderer().render(template.name(), null, template.data()))
                .isInstanceOf(RenderFailedException.class)
                .hasMessage(template.message());
    }

    @Test
    void missingVariableInUnescapedTagsIsRenderFailed() throws IOException {
        template("triple", "default", "S", "{{{snippet}}}", "{{&snippet}}");
        TemplateRenderer renderer = renderer();

        assertThatThrownBy(() -> renderer.render("triple", null, Map.of()))
                .isInstanceOf(RenderFailedException.class)
                .hasMessage("render-failed: html: missing variable 'snippet'");
        assertThat(renderer.render("triple", null, Map.of("snippet", "<b>")).html()).isEqualTo("<b>");
    }

    @Test
    void emptyStringsAndZeroAreValuesNotMissing() throws IOException {
        template("values", "default", "S", null, "[{{note}}][{{count}}][{{flag}}]");

        RenderedContent content = renderer().render("values", null, Map.of("note", "", "count", 0, "flag", false));

        assertThat(content.text()).isEqualTo("[][0][false]");
    }

    @Test
    void sectionsOnMissingKeysAreFalsyNotErrors() throws IOException {
        template("vip", "default", "S", null, "{{#vip}}VIP{{/vip}}{{^vip}}regular{{/vip}}{{#order.coupon}}!{{/order.coupon}}");

        assertThat(renderer().render("vip", null, Map.of()).text()).isEqualTo("regular");
    }

    @Test
    void listsIterateInSections() throws IOException {
        template("items", "default", "S", "{{#items}}<li>{{name}} x{{qty}}</li>{{/items}}",
                "{{#items}}{{name}}:{{qty}},{{/items}}{{^items}}none{{/items}}");
        Map<String, Object> data = Map.of("items", List.of(
                Map.of("name", "Mug", "qty", 2),
                Map.of("name", "Tea & Co", "qty", 1)));

        RenderedContent content = renderer().render("items", null, data);

        assertThat(content.text()).isEqualTo("Mug:2,Tea & Co:1,");
        assertThat(content.html()).isEqualTo("<li>Mug x2</li><li>Tea &amp; Co x1</li>");
        assertThat(renderer().render("items", null, Map.of("items", List.of())).text()).isEqualTo("none");
    }

    // --- template names -----------------------------------------------------------------------------------------

    @Test
    void unknownTemplateIsTemplateNotFound() {
        TemplateNotFoundException e = catchThrowableOfType(TemplateNotFoundException.class,
                () -> renderer().render("nope", "en", Map.of()));

        assertThat(e.category()).isEqualTo("template-not-found");
        assertThat(e.getMessage()).isEqualTo("template-not-found: no template named 'nope'");
    }

    @Test
    void namesThatAreNotPlainTemplateNamesAreNotFound() throws IOException {
        template("welcome", "default", "Welcome", null, "Hi");
        // everything below exists on disk, so only the name check keeps these out
        Files.createDirectories(tempDir.resolve("outside/default"));
        Files.writeString(tempDir.resolve("outside/default/subject.mustache"), "Outside");
        Files.writeString(tempDir.resolve("outside/default/text.mustache"), "Outside");
        template("_hidden", "default", "Hidden", null, "Hidden");
        TemplateRenderer renderer = renderer();
        List<String> names = Arrays.asList(null, "", " ", "..", "../outside", "./welcome", "x/../welcome",
                "welcome/", "welcome/default", "welcome\\default", root.resolve("welcome").toString(),
                "file:welcome", "file://" + root.resolve("welcome"), "http://example.com/welcome",
                "_hidden", "-welcome", "wel come", "a".repeat(65));

        for (String name : names) {
            assertThatThrownBy(() -> renderer.render(name, null, Map.of()))
                    .as("name %s", name)
                    .isInstanceOf(TemplateNotFoundException.class)
                    .hasMessageStartingWith("template-not-found: no template named ");
            assertThat(renderer.exists(name)).as("name %s", name).isFalse();
        }
        assertThat(renderer.render("welcome", null, Map.of()).subject()).isEqualTo("Welcome");
    }

    @Test
    void existsIsTrueOnlyForTemplatesWithALocale() throws IOException {
        template("welcome", "de", "Willkommen", null, "Hallo");
        Files.createDirectories(root.resolve("empty"));
        TemplateRenderer renderer = renderer();

        assertThat(renderer.exists("welcome")).isTrue();
        assertThat(renderer.exists("empty")).isFalse();
        assertThat(renderer.exists("nope")).isFalse();
    }

    @Test
    void templateWithoutMatchingLocaleAndNoDefaultIsNotFound() throws IOException {
        template("welcome", "de", "Willkommen", null, "Hallo");

        assertThatThrownBy(() -> renderer().render("welcome", "fr", Map.of()))
                .isInstanceOf(TemplateNotFoundException.class)
                .hasMessage("template-not-found: template 'welcome' has no locale matching 'fr' and no default");
    }

    // --- partials and layouts -----------------------------------------------------------------------------------

    @Test
    void partialsAndLayoutsAreNamedFromTheTemplatesRoot() throws IOException {
        write("_layouts/base.html.mustache", "<body>{{$content}}default{{/content}}</body>");
        write("_partials/footer.text.mustache", "-- {{brand.name}}");
        template("welcome", "de", "S",
                "{{< _layouts/base.html}}{{$content}}<p>Hallo {{name}}</p>{{/content}}{{/_layouts/base.html}}",
                "Hallo {{name}}\n{{> _partials/footer.text}}");

        RenderedContent content = renderer().render("welcome", "de", Map.of("name", "Jo", "brand", Map.of("name", "Acme")));

        assertThat(content.html()).isEqualTo("<body><p>Hallo Jo</p></body>");
        assertThat(content.text()).isEqualTo("Hallo Jo\n-- Acme");
    }

    @Test
    void partialsOutsideTheTemplatesRootAreRejected() throws IOException {
        Path secret = tempDir.resolve("secret.mustache");
        Files.writeString(secret, "SECRET");
        String secretWithoutSuffix = secret.toString().replace(".mustache", "");
        List<String> names = List.of("../secret", "_partials/../../secret", secretWithoutSuffix,
                "file:" + secretWithoutSuffix, "file://" + secretWithoutSuffix, "http://example.com/secret",
                "_partials\\..\\..\\secret", ".hidden");

        for (String name : names) {
            template("leak", "default", "S", null, "{{> " + name + "}}");
            TemplateRenderer renderer = renderer();
            assertThatThrownBy(() -> renderer.render("leak", null, Map.of()))
                    .as("partial %s", name)
                    .isInstanceOf(RenderFailedException.class)
                    .hasMessageStartingWith("render-failed: text: partial '")
                    .hasMessageContaining("is not allowed");
        }
    }

    @Test
    void dynamicPartialsAreRejectedBecauseDataWouldPickTheTemplate() throws IOException {
        write("_partials/p.text.mustache", "P");
        template("dyn", "default", "S", null, "{{>*which}}");

        assertThatThrownBy(() -> renderer().render("dyn", null, Map.of("which", "_partials/p.text")))
                .isInstanceOf(RenderFailedException.class)
                .hasMessageStartingWith("render-failed: text: dynamic partial");
    }

    @Test
    void brokenTemplateSyntaxIsRenderFailed() throws IOException {
        template("broken", "default", "S", "{{#open}}never closed", null);

        assertThatThrownBy(() -> renderer().render("broken", null, Map.of()))
                .isInstanceOf(RenderFailedException.class)
                .hasMessageStartingWith("render-failed: html: ")
                .hasMessageContaining("broken/default/html.mustache")
                .hasMessageNotContaining(root.toString());
    }

    // --- data is data -------------------------------------------------------------------------------------------

    @Test
    void requestDataIsNeverEvaluatedAsTemplateCode() throws IOException {
        write("_partials/p.text.mustache", "PARTIAL");
        template("echo", "default", "{{value}}", "<p>{{value}}</p>", "{{value}}");
        String value = "{{secret}} {{{secret}}} ${secret} #{secret} {{env:HOME}} {{> _partials/p.text}} {{=<% %>=}}";

        RenderedContent content = renderer().render("echo", null, Map.of("value", value, "secret", "LEAK"));

        assertThat(content.subject()).isEqualTo(value);
        assertThat(content.text()).isEqualTo(value);
        assertThat(content.html()).isEqualTo("<p>{{secret}} {{{secret}}} ${secret} #{secret} {{env:HOME}} "
                + "{{&gt; _partials/p.text}} {{&#61;&lt;% %&gt;&#61;}}</p>");
    }

    // --- locales ------------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "locale \"{0}\" renders {1}: {2}")
    @CsvSource(nullValues = "none", value = {
            // falls back from region to language to default
            "de-AT, de-AT, Servus", "de-CH, de, Willkommen", "de, de, Willkommen", "fr-FR, default, Welcome",
            // matching ignores case and accepts an underscore
            "de-at, de-AT, Servus", "DE-AT, de-AT, Servus", "de_AT, de-AT, Servus", "de_at, de-AT, Servus",
            "' de-AT ', de-AT, Servus",
            // null or blank uses the default
            "none, default, Welcome", "'', default, Welcome", "'  ', default, Welcome",
            // an unusable locale falls back to the default
            "../de, default, Welcome", "de/AT, default, Welcome", "de-, default, Welcome", "de--AT, default, Welcome",
            "de AT, default, Welcome", "de-AT-toolongsubtag, default, Welcome"})
    void localeIsResolvedAgainstTheTemplatesLocales(String requested, String locale, String subject)
            throws IOException {
        template("welcome", "default", "Welcome", null, "en");
        template("welcome", "en", "Hello", null, "en");
        template("welcome", "de", "Willkommen", null, "de");
        template("welcome", "de-AT", "Servus", null, "at");

        RenderedContent content = renderer().render("welcome", requested, Map.of());

        assertThat(content.locale()).isEqualTo(locale);
        assertThat(content.subject()).isEqualTo(subject);
    }

    // --- parts --------------------------------------------------------------------------------------------------

    @Test
    void missingHtmlOrTextPartIsNull() throws IOException {
        template("htmlonly", "default", "S", "<p>Hi</p>", null);
        template("textonly", "default", "S", null, "Hi");
        TemplateRenderer renderer = renderer();

        assertThat(renderer.render("htmlonly", null, Map.of()).text()).isNull();
        assertThat(renderer.render("textonly", null, Map.of()).html()).isNull();
    }

    @Test
    void subjectIsTrimmedToOneLineSoDataCannotAddHeaders() throws IOException {
        template("greet", "default", "Hello {{name}}\n", null, "Hi");

        RenderedContent content = renderer().render("greet", null, Map.of("name", "Eve\r\nBcc: all@example.com"));

        assertThat(content.subject()).isEqualTo("Hello Eve Bcc: all@example.com");
    }

    @Test
    void templatesAreReadAsUtf8() throws IOException {
        Files.createDirectories(root.resolve("utf/default"));
        Files.write(root.resolve("utf/default/subject.mustache"), "Grüße, {{name}} – 5 €".getBytes(StandardCharsets.UTF_8));
        Files.write(root.resolve("utf/default/text.mustache"), "Schöne Grüße 😀".getBytes(StandardCharsets.UTF_8));

        RenderedContent content = renderer().render("utf", null, Map.of("name", "Jürgen"));

        assertThat(content.subject()).isEqualTo("Grüße, Jürgen – 5 €");
        assertThat(content.text()).isEqualTo("Schöne Grüße 😀");
    }

    @Test
    void templateThatIsNotUtf8IsRenderFailed() throws IOException {
        template("latin", "default", "S", null, "x");
        Files.write(root.resolve("latin/default/text.mustache"), new byte[] {'G', 'r', (byte) 0xFC, 'n'});

        assertThatThrownBy(() -> renderer().render("latin", null, Map.of()))
                .isInstanceOf(RenderFailedException.class)
                .hasMessage("render-failed: text: 'latin/default/text.mustache' is not valid UTF-8");
    }

    // --- caching and threads ------------------------------------------------------------------------------------

    @Test
    void compiledTemplatesAreReusedAcrossRenders() throws IOException {
        write("_layouts/base.html.mustache", "<body>{{$content}}{{/content}}</body>");
        write("_partials/footer.text.mustache", "--");
        template("welcome", "default", "Hi {{name}}",
                "{{< _layouts/base.html}}{{$content}}{{name}}{{/content}}{{/_layouts/base.html}}",
                "{{name}}\n{{> _partials/footer.text}}");
        // checking the folder on every render must not by itself throw the compiled templates away
        TemplateRenderer renderer = TemplateRenderer.fromDirectory(root, Duration.ZERO);

        renderer.render("welcome", null, Map.of("name", "A"));
        long readsAfterFirstRender = renderer.templateFileReads();
        RenderedContent second = renderer.render("welcome", null, Map.of("name", "B"));

        assertThat(readsAfterFirstRender).isEqualTo(5);
        assertThat(renderer.templateFileReads()).isEqualTo(readsAfterFirstRender);
        assertThat(second.html()).isEqualTo("<body>B</body>");
    }

    @Test
    void rendersConcurrentlyFromManyThreads() throws Exception {
        write("_partials/footer.text.mustache", "-- {{brand}}");
        template("order", "default", "Order {{no}}", "<p>{{no}}</p>{{#items}}<i>{{.}}</i>{{/items}}",
                "{{no}}:{{#items}}{{.}},{{/items}}\n{{> _partials/footer.text}}");
        template("order", "de", "Bestellung {{no}}", null, "{{no}};{{#items}}{{.}};{{/items}}\n{{> _partials/footer.text}}");
        TemplateRenderer renderer = TemplateRenderer.fromDirectory(root, Duration.ZERO);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<String>> tasks = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                int n = i;
                tasks.add(() -> {
                    String locale = n % 2 == 0 ? "de" : "en";
                    RenderedContent c = renderer.render("order", locale,
                            Map.of("no", "N" + n, "items", List.of("a" + n, "b" + n), "brand", "B" + n));
                    String expected = n % 2 == 0 ? "N" + n + ";a" + n + ";b" + n + ";\n-- B" + n
                            : "N" + n + ":a" + n + ",b" + n + ",\n-- B" + n;
                    return c.text().equals(expected) ? "ok" : "task " + n + " got " + c.text();
                });
            }
            for (Future<String> result : pool.invokeAll(tasks)) {
                assertThat(result.get()).isEqualTo("ok");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void fromDirectoryRejectsAMissingFolder() {
        assertThatThrownBy(() -> TemplateRenderer.fromDirectory(tempDir.resolve("missing")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // --- helpers ------------------------------------------------------------------------------------------------

    private TemplateRenderer renderer() {
        return TemplateRenderer.fromDirectory(root, Duration.ZERO);
    }

    private void template(String name, String locale, String subject, String html, String text) throws IOException {
        String dir = name + "/" + locale + "/";
        Files.createDirectories(root.resolve(dir));
        if (subject != null) {
            write(dir + "subject.mustache", subject);
        }
        if (html != null) {
            write(dir + "html.mustache", html);
        }
        if (text != null) {
            write(dir + "text.mustache", text);
        }
    }

    private void write(String relativePath, String content) throws IOException {
        Path file = root.resolve(relativePath);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }
}
