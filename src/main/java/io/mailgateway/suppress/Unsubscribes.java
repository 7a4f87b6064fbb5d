package io.mailgateway.suppress;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mailgateway.events.DeliveryEvent;
import io.mailgateway.events.DeliveryEvent.SourceKind;
import io.mailgateway.suppress.UnsubscribeTokens.Claims;
import io.mailgateway.suppress.UnsubscribeTokens.InvalidTokenException;

/**
 * Answers one-click unsubscribe requests (RFC 8058): a POST of {@code List-Unsubscribe=One-Click} to the
 * List-Unsubscribe URL of a tenant's bulk mail stops that tenant's bulk mail to its recipient, when the token in the
 * URL is one this gateway signed. Each unsubscribe is recorded once: a second click writes nothing.
 */
public final class Unsubscribes {

    private static final Logger LOG = LoggerFactory.getLogger(Unsubscribes.class);

    /** What the endpoint answers: an HTTP status and a short plain-text body. */
    public record Response(int status, String body) { }

    private final UnsubscribeTokens tokens;
    private final Supplier<SuppressionList> suppressions;
    private final Clock clock;
    private final Consumer<DeliveryEvent> events;
    private final Object[] locks = new Object[64];

    /** @param tokens null when no unsubscribe secret is configured: then every request is refused */
    public Unsubscribes(UnsubscribeTokens tokens, Supplier<SuppressionList> suppressions, Clock clock) {
        this(tokens, suppressions, clock, event -> { });
    }

    /**
     * @param events publishes an UNSUBSCRIBED event per accepted unsubscribe whose token names its request, and
     *               returns once it is acknowledged
     */
    public Unsubscribes(UnsubscribeTokens tokens, Supplier<SuppressionList> suppressions, Clock clock,
            Consumer<DeliveryEvent> events) {
        this.tokens = tokens;
        this.suppressions = suppressions;
        this.clock = clock;
        this.events = events;
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new Object();
        }
    }

    /**
     * @param query       the raw query string of the request, which carries {@code token=...}
     * @param contentType the request's Content-Type
     * @param body        the request body, which must be RFC 8058's {@code List-Unsubscribe=One-Click}: raw, or the
     *                    form's fields by name when the HTTP server has read them already
     */
    public Response unsubscribe(String query, String contentType, Object body) {
        if (tokens == null) {
            return new Response(503, "unsubscribe is not configured\n");
        }
        if (!OneClickBody.isOneClick(contentType, body)) {
            return new Response(400, "the body must be List-Unsubscribe=One-Click (RFC 8058)\n");
        }
        Claims claims;
        try {
            claims = tokens.verify(tokenOf(query));
        } catch (InvalidTokenException e) {
            // Neither the token nor an address goes into the log.
            LOG.info("Refused an unsubscribe request: {}", e.getMessage());
            return e.malformed() ? new Response(400, "invalid unsubscribe link\n")
                    : new Response(403, "invalid unsubscribe link\n");
        }
        // Two clicks on the same link at once would both find the address not yet unsubscribed.
        synchronized (locks[Math.floorMod(Suppression.unsubscribeKey(String.valueOf(claims.tenant()),
                claims.address()).hashCode(), locks.length)]) {
            return unsubscribe(claims);
        }
    }

    /** The answer when handling the request failed unexpectedly: fixed, so no detail of the failure leaks. */
    public Response failed() {
        return new Response(500, "unsubscribe failed, try again later\n");
    }

    private Response unsubscribe(Claims claims) {
        SuppressionList list = suppressions.get();
        // A second click, or an address that gets no bulk mail anyway: nothing more to record.
        if (list.bulkMailSuppressed(claims.tenant(), claims.address())) {
            return new Response(200, "unsubscribed\n");
        }
        // The event first: when the entry cannot be written after it, the next click finds the address still
        // subscribed and publishes both again, so the event is never lost (at worst published twice).
        if (claims.requestId() != null) {
            String now = clock.instant().toString();
            try {
                events.accept(new DeliveryEvent(claims.requestId(), DeliveryEvent.Type.UNSUBSCRIBED,
                        claims.address(), null, null, null, new DeliveryEvent.Source(SourceKind.UNSUBSCRIBE, null),
                        claims.tenant() == null ? null : Map.of("tenant", claims.tenant()), now, now));
            } catch (RuntimeException e) {
                LOG.warn("An unsubscribe was not recorded: its event was not published: {}", e.getMessage());
                return new Response(503, "try again later\n");
            }
        }
        try {
            // An unsubscribe from a tenant's mail is keyed by tenant and address and so never replaces an entry
            // that stops all mail; one from a link naming no tenant could, and does not.
            list.addUnlessAllMailSuppressed(new Suppression(claims.address(), Suppression.UNSUBSCRIBE,
                    claims.tenant(), clock.instant(), null, claims.requestId() == null ? "unsubscribe link"
                            : "unsubscribe link of request " + claims.requestId()));
        } catch (RuntimeException e) {
            LOG.warn("An unsubscribe was not recorded: the suppression list refused it: {}", e.getMessage());
            return new Response(503, "try again later\n");
        }
        return new Response(200, "unsubscribed\n");
    }

    private static String tokenOf(String query) {
        if (query == null) {
            return null;
        }
        String token = null;
        for (String parameter : query.split("&")) {
            int equals = parameter.indexOf('=');
            String name = equals < 0 ? parameter : parameter.substring(0, equals);
            if (name.equals("token")) {
                if (token != null) {
                    throw new InvalidTokenException("token: given more than once", true);
                }
                try {
                    token = URLDecoder.decode(equals < 0 ? "" : parameter.substring(equals + 1), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    throw new InvalidTokenException("token: not URL-encoded", true);
                }
            }
        }
        return token;
    }
}
