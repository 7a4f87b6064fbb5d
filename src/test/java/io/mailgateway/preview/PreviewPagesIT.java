package io.mailgateway.preview;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.support.FreePorts;
import io.mailgateway.support.HeadlessChromium;
import io.mailgateway.support.InJvmGateway;

/**
 * The preview pages in a real headless browser, served by the gateway running against a real Kafka broker and a
 * STARTTLS + AUTH relay whose caught mails the mails pages show. Screenshots prove that the mail's HTML was
 * rendered, not merely sent to the browser: the test template paints a block of a colour nothing else uses.
 */
class PreviewPagesIT {

    /** The colour of the test template's block, 0xRRGGBB; nothing else on the pages uses it. */
    private static final int SWATCH = 0x11AA88;
    private static final int SWATCH_WIDTH = 480;
    private static final int SWATCH_HEIGHT = 240;
    /** Most of the block must be on screen in that exact colour. */
    private static final long SWATCH_PIXELS = SWATCH_WIDTH * SWATCH_HEIGHT * 9L / 10;

    @TempDir
    static Path work;

    static InJvmGateway gateway;
    static HeadlessChromium chromium;
    static int httpPort;

    @BeforeAll
    static void start() throws IOException {
        // first, so a machine without the browser fails at once instead of after starting a broker
        chromium = new HeadlessChromium(Files.createDirectories(work.resolve("browser")));
        Path templates = work.resolve("templates");
        file(templates, "swatch/default/subject.mustache", "Swatch for {{name}}");
        file(templates, "swatch/default/html.mustache", """
                <!DOCTYPE html><html><body style="margin:0">
                <div style="background-color:#11aa88;width:%dpx;height:%dpx"></div>
                <p>Hello {{name}}</p></body></html>""".formatted(SWATCH_WIDTH, SWATCH_HEIGHT));
        file(templates, "swatch/default/text.mustache", "Hello {{name}}, in plain text.");
        file(templates, "swatch/de/subject.mustache", "Farbfeld für {{name}}");
        file(templates, "swatch/de/text.mustache", "Hallo {{name}}");
        file(templates, "swatch/sample.json", "{\"name\": \"Sample Sam\"}");
        file(templates, "broken/default/subject.mustache", "Broken");
        file(templates, "broken/default/html.mustache", "<p>{{> _partials/missing.html}}</p>");
        file(templates, "broken/sample.json", "{}");
        httpPort = FreePorts.next();
        gateway = InJvmGateway.start(work, Map.of(
                "camel.server.enabled", "true",
                "camel.server.host", "127.0.0.1",
                "camel.server.port", String.valueOf(httpPort),
                "gateway.preview.enabled", "true",
                "gateway.templates-dir", templates.toString(),
                // where the test relay writes every mail it accepts
                "gateway.preview.mail-dir", work.resolve("mail").toString()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void templateListShowsEveryTemplateWithItsLocalesAndStatus() {
        String dom = chromium.dumpDom(url("/preview"));

        assertThat(dom).contains("<a href=\"/preview/templates/swatch\">swatch</a>",
                "<a href=\"/preview/templates/swatch?locale=de\">de</a>",
                "<a href=\"/preview/templates/broken\">broken</a>", "1 problem(s)", ">OK<");
    }

    @Test
    void templatePreviewShowsSubjectTextAndTheRenderedHtml() {
        String dom = chromium.dumpDom(url("/preview/templates/swatch"));
        assertThat(dom).contains("<p class=\"subject\" id=\"subject\">Swatch for Sample Sam</p>",
                "Hello Sample Sam, in plain text.", "sandbox=\"\"");

        BufferedImage page = chromium.screenshot(url("/preview/templates/swatch"), work.resolve("template.png"));
        assertThat(HeadlessChromium.pixelsOf(page, SWATCH)).as("pixels of the template's colour block")
                .isGreaterThanOrEqualTo(SWATCH_PIXELS);
    }

    @Test
    void localeWithoutAnHtmlPartShowsItsTextAndNoHtml() {
        String dom = chromium.dumpDom(url("/preview/templates/swatch?locale=de"));
        assertThat(dom).contains("Farbfeld für Sample Sam", "Hallo Sample Sam", "No HTML part.");

        BufferedImage page = chromium.screenshot(url("/preview/templates/swatch?locale=de"), work.resolve("de.png"));
        assertThat(HeadlessChromium.pixelsOf(page, SWATCH)).as("pixels of the colour block, which de has not")
                .isZero();
    }

    @Test
    void templateWithAProblemShowsTheProblem() {
        String dom = chromium.dumpDom(url("/preview/templates/broken"));

        assertThat(dom).contains("<ul class=\"problems\" id=\"problems\">",
                "broken/default: render-failed: html: partial '_partials/missing.html' not found",
                "Nothing to show");
    }

    @Test
    void caughtMailIsListedAndShownRendered() {
        String id = "preview-" + System.nanoTime();
        gateway.kafka().send(InJvmGateway.OUTBOUND, id, """
                {"id": "%s", "template": "swatch", "to": ["alice@example.org"], "data": {"name": "Caught Alice"}}
                """.formatted(id));
        JsonNode result = gateway.results().awaitJson(id);
        assertThat(result.get("status").asText()).isEqualTo("SENT");

        String list = chromium.dumpDom(url("/preview/mails"));
        Matcher link = Pattern.compile("<a href=\"(/preview/mails/[^\"]+\\.eml)\">Swatch for Caught Alice</a>")
                .matcher(list);
        assertThat(link.find()).as("a link to the caught mail in %s", list).isTrue();
        assertThat(list).contains("noreply@acme.example", "alice@example.org");

        String mail = chromium.dumpDom(url(link.group(1)));
        assertThat(mail).contains("<h1>Swatch for Caught Alice</h1>", "Hello Caught Alice, in plain text.",
                "<th>Message-ID</th>", result.get("messageId").asText().replace("<", "&lt;").replace(">", "&gt;"));

        BufferedImage page = chromium.screenshot(url(link.group(1)), work.resolve("mail.png"));
        assertThat(HeadlessChromium.pixelsOf(page, SWATCH)).as("pixels of the mail's colour block")
                .isGreaterThanOrEqualTo(SWATCH_PIXELS);
    }

    @Test
    void pagesAreReadOnlyEchoNoRequestHeaderAndFindNothingOutsideTheirFolders() throws Exception {
        HttpClient http = HttpClient.newHttpClient();

        HttpResponse<String> page = http.send(request("/preview").header("X-Probe", "echo-me").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(
                csp -> assertThat(csp).contains("default-src 'none'").doesNotContain("script-src"));
        assertThat(page.headers().map()).doesNotContainKey("x-probe");

        assertThat(http.send(request("/preview").POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(405);
        for (String path : new String[] {"/preview/templates/..%2F..%2Fetc%2Fpasswd", "/preview/templates/..%2F",
                "/preview/templates/_partials", "/preview/templates/swatch?locale=..%2Fde", "/preview/mails/..%2Ftenants.yaml",
                "/preview/mails/..%2Fmail%2F..%2Ftenants.yaml", "/preview/mails/nope.eml"}) {
            HttpResponse<String> response = http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(path).isEqualTo(404);
            assertThat(response.body()).as(path).contains("Not found").doesNotContain("acme:");
        }
    }

    private static HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(url(path)).timeout(Duration.ofSeconds(10));
    }

    private static URI url(String path) {
        return URI.create("http://127.0.0.1:" + httpPort + path);
    }

    private static void file(Path root, String path, String text) throws IOException {
        Path file = root.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }
}
