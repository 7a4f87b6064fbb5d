package io.mailgateway.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.request.MailAddress;
import io.mailgateway.request.MailRequest;
import io.mailgateway.result.DeliveryResult;
import io.mailgateway.result.ResultFactory;

/**
 * A template renders into memory only up to the message size limit: a loop over a large array ends as too-large
 * once the output passes the limit, without first producing (and holding) everything it would have produced.
 */
class RenderSizeLimitTest {

    @TempDir
    Path root;

    @BeforeEach
    void templates() throws IOException {
        write("loop/default/subject.mustache", "Items");
        write("loop/default/text.mustache", "{{#items}}{{.}}{{/items}}");
        // every item times every item times every item: 1,000 items make 10^9 lines
        write("cube/default/subject.mustache", "Cube");
        write("cube/default/html.mustache",
                "{{#items}}{{#items}}{{#items}}<p>{{.}}</p>{{/items}}{{/items}}{{/items}}");
        write("both/default/subject.mustache", "{{word}}");
        write("both/default/html.mustache", "<p>{{word}}</p>");
        write("both/default/text.mustache", "{{word}}");
    }

    @Test
    void aLoopWhoseOutputStaysWithinTheLimitRendersCompletely() {
        RenderedContent content = renderer().render("loop", null, Map.of("items", Collections.nCopies(100, "0123456789")),
                1000 + "Items".length());

        assertThat(content.text()).hasSize(1000);
    }

    @Test
    void aLoopOneByteOverTheLimitIsTooLarge() {
        assertThatThrownBy(() -> renderer().render("loop", null,
                Map.of("items", Collections.nCopies(100, "0123456789")), 1000 + "Items".length() - 1))
                .isInstanceOfSatisfying(RenderTooLargeException.class, e -> {
                    assertThat(e.category()).isEqualTo("too-large");
                    assertThat(e.detail()).isEqualTo(
                            "text: the rendered mail exceeds the limit of 1004 bytes (GATEWAY_MAX_MESSAGE_BYTES)");
                });
    }

    @Test
    void aLoopThatWouldRenderGigabytesStopsAtTheLimitWithinMoments() {
        List<String> items = Collections.nCopies(1000, "x".repeat(10));
        long started = System.nanoTime();

        assertThatThrownBy(() -> renderer().render("cube", null, Map.of("items", items), 1024 * 1024))
                .isInstanceOf(RenderTooLargeException.class)
                .hasMessageContaining("html: the rendered mail exceeds the limit of 1048576 bytes");
        // the full output (about 17 GB) could neither be produced nor held in this time
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void subjectHtmlAndTextCountTogetherInBytesOfUtf8() {
        // "é" is two bytes: subject 2 + html 7 + 2 + text 2 = 13
        assertThat(renderer().render("both", null, Map.of("word", "é"), 13).text()).isEqualTo("é");
        assertThatThrownBy(() -> renderer().render("both", null, Map.of("word", "é"), 12))
                .isInstanceOf(RenderTooLargeException.class)
                .hasMessageStartingWith("too-large: text:");
        // a character outside the BMP is four bytes
        assertThatThrownBy(() -> renderer().render("both", null, Map.of("word", "😀"), 4 + 7 + 4 + 3))
                .isInstanceOf(RenderTooLargeException.class);
    }

    @Test
    void withoutALimitTheRendererRendersAsBefore() {
        assertThat(renderer().render("loop", null, Map.of("items", Collections.nCopies(1000, "x"))).text())
                .hasSize(1000);
    }

    @Test
    void theContentRendererHoldsTemplatesToTheMessageSizeLimitAndTheRequestEndsRejectedTooLarge() {
        ContentRenderer content = new ContentRenderer(renderer(), 998, 10_000);
        MailRequest request = new MailRequest("loop-1", "loop", null, new MailAddress("shop@acme.example", null), null,
                List.of(new MailAddress("a@example.org", null)), List.of(), List.of(), null, null, null,
                Map.of("items", Collections.nCopies(10_000, "0123456789")), List.of(), Map.of(), Map.of("kind", "test"));

        RenderTooLargeException thrown = org.assertj.core.api.Assertions.catchThrowableOfType(
                RenderTooLargeException.class, () -> content.render(request, RenderPermits.Turn.none()));
        DeliveryResult result = new ResultFactory(Clock.systemUTC()).failed(thrown, null, 0, request, "key", "now");

        assertThat(result.status()).isEqualTo(DeliveryResult.Status.REJECTED);
        assertThat(result.reason().category()).isEqualTo("too-large");
        assertThat(result.reason().detail()).startsWith("text: the rendered mail exceeds the limit of 10000 bytes");
        assertThat(result.tags()).containsEntry("kind", "test");
    }

    private TemplateRenderer renderer() {
        return TemplateRenderer.fromDirectory(root);
    }

    private void write(String file, String text) throws IOException {
        Path path = root.resolve(file);
        Files.createDirectories(path.getParent());
        Files.writeString(path, text, StandardCharsets.UTF_8);
    }
}
