package io.mailgateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.render.ContentRenderer;
import io.mailgateway.render.RenderFailedException;
import io.mailgateway.render.RenderPermits;
import io.mailgateway.render.TemplateRenderer;
import io.mailgateway.request.MailAddress;
import io.mailgateway.request.MailRequest;
import io.mailgateway.request.NotJsonException;
import io.mailgateway.request.RequestLimits;
import io.mailgateway.request.RequestParser;

/** Bounds that keep one request from costing unbounded memory or time, whatever shape its JSON takes. */
class RequestShapeLimitsTest {

    private final RequestParser parser = new RequestParser(RequestLimits.defaults());

    @Test
    void subjectRenderedFromDataIsHeldToTheSubjectLimitToo(@TempDir Path templates) throws IOException {
        Files.createDirectories(templates.resolve("note/default"));
        Files.writeString(templates.resolve("note/default/subject.mustache"), "Note: {{topic}}");
        Files.writeString(templates.resolve("note/default/text.mustache"), "text");
        ContentRenderer renderer = new ContentRenderer(TemplateRenderer.fromDirectory(templates), 20);

        assertThat(renderer.render(templated("x".repeat(14)), RenderPermits.Turn.none()).subject()).hasSize(20);
        assertThatThrownBy(() -> renderer.render(templated("x".repeat(15)), RenderPermits.Turn.none()))
                .isInstanceOfSatisfying(RenderFailedException.class, e -> assertThat(e.detail())
                        .isEqualTo("subject: the rendered subject has 21 characters, more than the limit of 20"));
    }

    @Test
    void aNumberOfThousandsOfDigitsIsRejectedWithoutBeingConverted() {
        byte[] body = ("{\"id\": \"n-1\", \"to\": [\"a@example.org\"], \"subject\": \"s\", \"text\": \"t\", \"data\": {\"n\": "
                + "9".repeat(5_000) + "}}").getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> parser.parse(body)).isInstanceOf(NotJsonException.class)
                .hasMessageContaining("Number value length");
    }

    @Test
    void deeplyNestedDataIsRejectedInsteadOfExhaustingTheStack() {
        int depth = 5_000;
        byte[] body = ("{\"id\": \"d-1\", \"to\": [\"a@example.org\"], \"subject\": \"s\", \"text\": \"t\", \"data\": {\"d\": "
                + "[".repeat(depth) + "]".repeat(depth) + "}}").getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> parser.parse(body)).isInstanceOf(NotJsonException.class)
                .hasMessageContaining("nesting depth");
    }

    private static MailRequest templated(String topic) {
        return new MailRequest("t-1", "note", null, new MailAddress("shop@acme.example", null), null,
                List.of(new MailAddress("a@example.org", null)), List.of(), List.of(), null, null, null,
                Map.of("topic", topic), List.of(), Map.of(), Map.of());
    }
}
