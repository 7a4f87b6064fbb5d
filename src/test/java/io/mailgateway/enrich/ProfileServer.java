package io.mailgateway.enrich;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

/**
 * A profile service for tests (the JDK's HTTP server on a free loopback port): answers {@code GET /v1/people/ADDRESS}
 * with the profile set for that address, 404 for unknown ones, or no answer at all until it is closed.
 */
final class ProfileServer implements AutoCloseable {

    static final String PATH = "/v1/people/";

    /** One request as the server saw it. */
    record Received(String method, String rawPath, String address, Map<String, List<String>> headers) {
    }

    private sealed interface Answer {
    }

    private record Json(String body, boolean chunked) implements Answer {
    }

    private record Silence() implements Answer {
    }

    private final HttpServer server;
    private final String scheme;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final CountDownLatch closing = new CountDownLatch(1);

    private ProfileServer(HttpServer server, String scheme) {
        this.server = server;
        this.scheme = scheme;
        server.setExecutor(threads);
        server.createContext(PATH, this::handle);
        server.start();
    }

    static ProfileServer start() {
        try {
            return new ProfileServer(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0),
                    "http");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An https server with this certificate (one for localhost). */
    static ProfileServer startTls(SSLContext tls) {
        try {
            HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.setHttpsConfigurator(new HttpsConfigurator(tls));
            return new ProfileServer(server, "https");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** GATEWAY_PROFILE_URL for this server. */
    String urlTemplate() {
        return scheme + "://localhost:" + server.getAddress().getPort() + PATH + "{address}";
    }

    void profile(String address, String json) {
        answers.put(address, new Json(json, false));
    }

    /** A profile sent in chunks, without a Content-Length to check up front. */
    void chunkedProfile(String address, String json) {
        answers.put(address, new Json(json, true));
    }

    /** Requests for this address get no answer until the server is closed. */
    void silentFor(String address) {
        answers.put(address, new Silence());
    }

    List<Received> received() {
        return List.copyOf(received);
    }

    long requestsFor(String address) {
        return received.stream().filter(r -> address.equals(r.address())).count();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String address = path.substring(PATH.length());
            Map<String, List<String>> headers = new TreeMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values));
            received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(), address,
                    headers));
            Answer answer = answers.get(address);
            if (answer instanceof Silence) {
                closing.await(2, TimeUnit.MINUTES);
                return;
            }
            if (answer instanceof Json json) {
                byte[] body = json.body().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                // headers a careless gateway would copy into the exchange and from there into the mail
                exchange.getResponseHeaders().set("Bcc", "mallory@evil.example");
                exchange.getResponseHeaders().set("CamelHttpUri", "http://evil.example/");
                exchange.sendResponseHeaders(200, json.chunked() ? 0 : body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
                return;
            }
            exchange.sendResponseHeaders(404, -1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops answering; its port is closed afterwards, so lookups fail to connect. */
    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
        threads.shutdownNow();
    }
}
