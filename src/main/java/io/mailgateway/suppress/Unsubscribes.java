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
 * Answers one-click unsubscribe requests (RFC 8058): a POST to the List-Unsubscribe URL of a bulk mail puts its
 * recipient on the suppression list, when the token in the URL is one this gateway signed.
 */
public final class Unsubscribes {

    private static final Logger LOG = LoggerFactory.getLogger(Unsubscribes.class);

    /** What the endpoint answers: an HTTP status and a short plain-text body. */
    public record Response(int status, String body) { }

    private final UnsubscribeTokens tokens;
    private final Supplier<SuppressionList> suppressions;
    private final Clock clock;
    private final Consumer<DeliveryEvent> events;

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
    }

    /** @param query the raw query string of the request, which carries {@code token=...} */
    public Response unsubscribe(String query) {
        if (tokens == null) {
            return new Response(503, "unsubscribe is not configured\n");
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
        // An address that gets no mail at all (a hard bounce, a complaint) keeps that entry: an unsubscribe
        // would let transactional mail through again.
        suppressions.get().addUnlessAllMailSuppressed(new Suppression(claims.address(), Suppression.UNSUBSCRIBE,
                claims.tenant(), clock.instant(), null, claims.requestId() == null ? "unsubscribe link"
                        : "unsubscribe link of request " + claims.requestId()));
        // Links issued before they named their request unsubscribe all the same, but an event needs a request id.
        if (claims.requestId() != null) {
            String now = clock.instant().toString();
            try {
                events.accept(new DeliveryEvent(claims.requestId(), DeliveryEvent.Type.UNSUBSCRIBED,
                        claims.address(), null, null, null, new DeliveryEvent.Source(SourceKind.UNSUBSCRIBE, null),
                        claims.tenant() == null ? null : Map.of("tenant", claims.tenant()), now, now));
            } catch (RuntimeException e) {
                // The address is suppressed already; asking again publishes the event then.
                LOG.warn("An unsubscribe was recorded but its event was not published: {}", e.getMessage());
                return new Response(503, "try again later\n");
            }
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
