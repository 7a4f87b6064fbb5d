package io.mailgateway.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renders past the free bytes take turns: many looping templates handled in parallel hold one large rendered text
 * per turn, while small renders never wait.
 */
class RenderPermitsTest {

    @TempDir
    Path root;

    // one thread per request, as the gateway's send threads handle them
    private final ExecutorService first = Executors.newSingleThreadExecutor();
    private final ExecutorService second = Executors.newSingleThreadExecutor();
    private final ExecutorService third = Executors.newSingleThreadExecutor();
    private final RenderPermits permits = new RenderPermits(100, 1);
    private TemplateRenderer renderer;

    @BeforeEach
    void template() throws IOException {
        Files.createDirectories(root.resolve("loop/default"));
        Files.writeString(root.resolve("loop/default/subject.mustache"), "s");
        Files.writeString(root.resolve("loop/default/text.mustache"), "{{#items}}{{.}}{{/items}}");
        renderer = TemplateRenderer.fromDirectory(root);
    }

    @AfterEach
    void stop() {
        first.shutdownNow();
        second.shutdownNow();
        third.shutdownNow();
    }

    @Test
    void aSecondLargeRenderWaitsUntilTheFirstRequestGivesItsTurnBack() throws Exception {
        RenderPermits.Turn firstTurn = permits.newTurn();
        // the turn stays with the first request until that request is finished
        assertThat(first.submit(() -> render(1000, firstTurn)).get(10, TimeUnit.SECONDS)).hasSize(1000);

        Future<String> large = second.submit(() -> render(1000, permits.newTurn()));
        Future<String> small = third.submit(() -> render(50, permits.newTurn()));

        assertThat(small.get(10, TimeUnit.SECONDS)).hasSize(50);
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> !large.isDone());

        // given back from another thread than the one that rendered, as a route may finish a request elsewhere
        permits.release(firstTurn);
        assertThat(large.get(10, TimeUnit.SECONDS)).hasSize(1000);
    }

    @Test
    void aRequestWithATurnRendersAgainWithoutWaitingForItself() {
        RenderPermits.Turn turn = permits.newTurn();

        assertThat(render(1000, turn) + render(1000, turn)).hasSize(2000);
        permits.release(turn);
        assertThat(permits.availableTurns()).isEqualTo(1);
    }

    @Test
    void aTurnIsGivenBackOnceHoweverOftenItIsReleased() {
        RenderPermits.Turn turn = permits.newTurn();
        render(1000, turn);

        permits.release(turn);
        permits.release(turn);
        permits.release(null);
        permits.release(permits.newTurn());

        assertThat(permits.availableTurns()).isEqualTo(1);
    }

    @Test
    void refusesSettingsThatWouldStopEveryRender() {
        assertThatIllegalArgumentException().isThrownBy(() -> new RenderPermits(0, 1));
        assertThatIllegalArgumentException().isThrownBy(() -> new RenderPermits(1, 0));
    }

    private String render(int characters, RenderPermits.Turn turn) {
        return renderer.render("loop", null, Map.of("items", Collections.nCopies(characters, "x")), 1_000_000, turn)
                .text();
    }
}
