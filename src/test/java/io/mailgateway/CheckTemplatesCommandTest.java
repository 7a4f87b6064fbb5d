package io.mailgateway;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class CheckTemplatesCommandTest {

    private static final String SAMPLE = "{\"name\": \"Jane\", \"order\": {\"no\": \"A-1\"}}";

    @TempDir
    Path tempDir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void bundledTemplatesRenderInEveryLocaleWithTheirSampleData() {
        int exit = check("templates");

        assertThat(exit).isZero();
        assertThat(out()).isEqualTo("""
                OK    order-confirmation/de
                OK    order-confirmation/default
                OK    welcome/de
                OK    welcome/default
                2 templates, all render
                """);
        assertThat(err()).isEmpty();
    }

    @Test
    void everyBrokenTemplateAndLocaleIsNamedWithItsProblem() throws IOException {
        Path root = tempDir.resolve("templates");
        file(root, "_partials/footer.text.mustache", "-- \nAcme");
        file(root, "_layouts/page.html.mustache", "<html>{{$content}}{{/content}}</html>");
        template(root, "good", "default", "Hello {{name}}", "{{< _layouts/page.html}}{{$content}}<p>{{name}}</p>{{/content}}{{/_layouts/page.html}}",
                "Hi {{name}}\n{{> _partials/footer.text}}");
        template(root, "good", "de", "Hallo {{name}}", null, "Hallo {{name}}");
        file(root, "good/sample.json", SAMPLE);
        template(root, "missing-variable", "default", "Order {{order.no}}", "<p>{{order.total}}</p>", null);
        template(root, "missing-variable", "de", "Bestellung {{order.no}}", null, "{{name}}");
        file(root, "missing-variable/sample.json", SAMPLE);
        template(root, "missing-partial", "default", "Hi", null, "Hi\n{{> _partials/nope.text}}");
        file(root, "missing-partial/sample.json", SAMPLE);
        template(root, "no-sample", "default", "Hi {{name}}", null, "Hi");
        template(root, "bad-sample", "default", "Hi {{name}}", null, "Hi");
        file(root, "bad-sample/sample.json", "{\"name\": \"Jane\",}");
        template(root, "oversized", "default", "Big", "<p>" + "x".repeat(100 * 1024) + "</p>", null);
        file(root, "oversized/sample.json", SAMPLE);
        template(root, "two-line-subject", "default", "Hello\n{{name}}", null, "Hi");
        file(root, "two-line-subject/sample.json", SAMPLE);
        template(root, "no-subject", "default", null, null, "Hi");
        file(root, "no-subject/sample.json", SAMPLE);
        template(root, "no-body", "default", "Hi", null, null);
        file(root, "no-body/sample.json", SAMPLE);

        int exit = check(root.toString());

        assertThat(exit).isEqualTo(1);
        assertThat(out().lines()).containsExactly(
                "FAIL  bad-sample/default: bad-sample/sample.json is not valid JSON (line 1, column 17): "
                        + "Unexpected character ('}' (code 125)): was expecting double-quote to start field name",
                "OK    good/de",
                "OK    good/default",
                "FAIL  missing-partial/default: render-failed: text: partial '_partials/nope.text' not found",
                "OK    missing-variable/de",
                "FAIL  missing-variable/default: render-failed: html: missing variable 'order.total'",
                "FAIL  no-body/default: render-failed: template 'no-body' has neither default/html.mustache "
                        + "nor default/text.mustache",
                "FAIL  no-sample/default: no sample data: no-sample/sample.json not found",
                "FAIL  no-subject/default: render-failed: subject: template 'no-subject' has no default/subject.mustache",
                "FAIL  oversized/default: html: 102407 bytes, more than the limit of 102400 (Gmail clips larger HTML bodies)",
                "FAIL  two-line-subject/default: subject: spans 2 lines; the gateway joins them with spaces, "
                        + "write it on one line",
                "8 problems in 9 templates");
        assertThat(out()).doesNotContain(tempDir.toString());
    }

    @Test
    void templateWithoutDefaultLocaleIsAProblem() throws IOException {
        Path root = tempDir.resolve("templates");
        template(root, "only-german", "de", "Hallo {{name}}", null, "Hallo");
        file(root, "only-german/sample.json", SAMPLE);

        assertThat(check(root.toString())).isEqualTo(1);
        assertThat(out()).contains("FAIL  only-german: no default/ folder;", "OK    only-german/de");
    }

    @Test
    void folderDefaultsToGatewayTemplatesDir() throws IOException {
        Path root = tempDir.resolve("mine");
        template(root, "hello", "default", "Hello {{name}}", null, "Hi");
        file(root, "hello/sample.json", SAMPLE);

        int exit = CheckTemplatesCommand.run(new String[0], root.toString(), print(out), print(err));

        assertThat(exit).isZero();
        assertThat(out()).isEqualTo("OK    hello/default\n1 template, all render\n");
    }

    @Test
    void aFolderThatDoesNotExistIsAUsageError() {
        assertThat(check(tempDir.resolve("nothing-here").toString())).isEqualTo(2);
        assertThat(err()).contains("not a directory:", "usage: java -jar mail-gateway.jar check-templates [DIR]");
        assertThat(out()).isEmpty();
    }

    @Test
    void moreThanOneFolderIsAUsageError() {
        assertThat(CheckTemplatesCommand.run(new String[] {"a", "b"}, null, print(out), print(err))).isEqualTo(2);
        assertThat(err()).startsWith("usage:");
    }

    private int check(String dir) {
        return CheckTemplatesCommand.run(new String[] {dir}, null, print(out), print(err));
    }

    private static void template(Path root, String name, String locale, String subject, String html, String text)
            throws IOException {
        Path dir = Files.createDirectories(root.resolve(name).resolve(locale));
        if (subject != null) {
            Files.writeString(dir.resolve("subject.mustache"), subject);
        }
        if (html != null) {
            Files.writeString(dir.resolve("html.mustache"), html);
        }
        if (text != null) {
            Files.writeString(dir.resolve("text.mustache"), text);
        }
    }

    private static void file(Path root, String path, String content) throws IOException {
        Path file = root.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    private static PrintStream print(ByteArrayOutputStream bytes) {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }
}
