package io.mailgateway.config;

import java.util.Map;
import java.util.regex.Pattern;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.HttpEndpointModel;
import org.apache.camel.component.platform.http.PlatformHttpComponent;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;

/**
 * Answers the errors the public HTTP server produces itself (no such page, wrong method, body too large, a failure
 * outside a route) with one fixed line of plain text, instead of Vert.x's HTML pages or an exception's text.
 */
final class PublicServerErrors {

    static final Map<Integer, String> ANSWERS = Map.of(
            400, "Bad request\n",
            404, "Not found\n",
            405, "Method not allowed\n",
            413, "Request body too large\n",
            500, "Internal error\n");

    private PublicServerErrors() {
    }

    /** Adds the answers to the router of the server on this port; call once Camel has started it. */
    static void install(CamelContext context, int port) {
        VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(context,
                VertxPlatformHttpRouter.getRouterNameFromPort(port));
        if (router == null) {
            return;
        }
        PlatformHttpComponent component = context.getComponent("platform-http", PlatformHttpComponent.class);
        // After every route: a request that reached it matched none.
        router.route().last().handler(request -> answer(request, servesPath(component, request.normalizedPath())
                ? 405 : 404));
        // A request body over camel.server.max-body-size fails with 413 before any route sees it.
        router.route().failureHandler(request -> answer(request, request.statusCode()));
    }

    // Whether some route serves this path with other methods: then the method is wrong, not the path.
    private static boolean servesPath(PlatformHttpComponent component, String path) {
        for (HttpEndpointModel endpoint : component.getHttpEndpoints()) {
            String pattern = Pattern.quote(endpoint.getUri()).replaceAll("\\{[^}/]+}", "\\\\E[^/]+\\\\Q");
            if (Pattern.matches(pattern, path)) {
                return true;
            }
        }
        return false;
    }

    private static void answer(RoutingContext request, int status) {
        int known = ANSWERS.containsKey(status) ? status : status >= 400 && status < 500 ? 400 : 500;
        HttpServerResponse response = request.response();
        if (response.headWritten()) {
            // The route has answered already and failed while sending: nothing more can be said.
            response.reset();
            return;
        }
        response.headers().clear();
        response.setStatusCode(known).putHeader("Content-Type", "text/plain; charset=utf-8").end(ANSWERS.get(known));
    }
}
