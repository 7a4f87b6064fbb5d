package io.mailgateway.config;

import java.time.Clock;

import io.mailgateway.mime.MimeComposer;
import io.mailgateway.render.ContentRenderer;
import io.mailgateway.render.RenderPermits;

/** Renders templates and composes the MIME message: see {@link RenderSettings} for the settings. */
final class RenderConfiguration {

    private RenderConfiguration() {
    }

    /**
     * @return the turns for renders past GATEWAY_LARGE_RENDER_BYTES: one set, which in-flight requests give back
     *         (a second set would let twice as many large renders run)
     */
    static RenderPermits bind(Wiring wiring, RenderSettings settings, Clock clock) {
        wiring.bind("contentRenderer", new ContentRenderer(settings.templates(), settings.maxSubjectLength(),
                settings.maxMessageBytes()));
        RenderPermits permits = wiring.bind("renderPermits",
                new RenderPermits(settings.largeRenderBytes(), settings.largeRenders()));
        wiring.bind("mimeComposer", new MimeComposer(settings.maxMessageBytes(), clock));
        return permits;
    }
}
