package io.mailgateway.enrich;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

import javax.net.ssl.SSLException;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.core5.http.ConnectionRequestTimeoutException;

/**
 * Turns the profile service's answer (or the failure to get one) into a {@link ProfileLookup} on the request's
 * exchange, and remembers profiles and "no profile" answers in the cache. Used by the enrich-profile route's
 * {@code enrich} step.
 */
public final class ProfileResponses implements AggregationStrategy {

    /** Exchange property with the address whose profile is looked up (set by the route). */
    public static final String RECIPIENT = "profileRecipient";
    /** Exchange property with the {@link ProfileLookup} (set here, or by the route from the cache). */
    public static final String LOOKUP = "profileLookup";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> PLAIN_MAP = new TypeReference<>() {
    };

    private final ProfileCache cache;
    private final Duration timeout;
    private final Consumer<String> outcomes;

    /** @param outcomes told "found", "absent" or "failed" for every answer (metrics) */
    public ProfileResponses(ProfileCache cache, Duration timeout, Consumer<String> outcomes) {
        this.cache = cache;
        this.timeout = timeout;
        this.outcomes = outcomes;
    }

    @Override
    public Exchange aggregate(Exchange request, Exchange response) {
        ProfileLookup lookup = lookup(response);
        String recipient = request.getProperty(RECIPIENT, String.class);
        if (recipient != null) {
            cache.remember(recipient, lookup);
        }
        request.setProperty(LOOKUP, lookup);
        outcomes.accept(outcome(lookup));
        return request;
    }

    private ProfileLookup lookup(Exchange response) {
        if (response == null) {
            return failed("no answer");
        }
        if (response.getException() != null) {
            return failed(describe(response.getException()));
        }
        Integer status = response.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        if (status != null && status == 404) {
            return new ProfileLookup.Absent();
        }
        if (status == null || status != 200) {
            return failed("the profile service answered HTTP " + status);
        }
        return parse(response.getMessage().getBody(byte[].class));
    }

    static String outcome(ProfileLookup lookup) {
        if (lookup instanceof ProfileLookup.Found) {
            return "found";
        }
        return lookup instanceof ProfileLookup.Absent ? "absent" : "failed";
    }

    /** A profile is a JSON object; anything else is a failed lookup. */
    static ProfileLookup parse(byte[] body) {
        if (body == null || body.length == 0) {
            return failed("the profile service answered without a JSON object");
        }
        try {
            JsonNode node = JSON.readTree(body);
            if (node == null || !node.isObject()) {
                return failed("the profile service answered without a JSON object");
            }
            return new ProfileLookup.Found(JSON.convertValue(node, PLAIN_MAP));
        } catch (IOException e) {
            return failed("the profile service answered with something that is not JSON");
        }
    }

    /** Why the lookup failed, in users' terms; never the URL (it holds the address) or the server's words. */
    private String describe(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ProfileHttpClient.TooLargeException || t instanceof ProfileHttpClient.UnexpectedEncodingException) {
                return t.getMessage();
            }
            if (t instanceof ConnectionRequestTimeoutException) {
                return "no free connection to the profile service within " + timeout.toMillis() + " ms";
            }
            if (t instanceof ConnectTimeoutException) {
                return "no connection to the profile service within " + timeout.toMillis() + " ms";
            }
            if (t instanceof SocketTimeoutException) {
                return "timeout after " + timeout.toMillis() + " ms";
            }
            if (t instanceof ConnectException) {
                return "cannot connect to the profile service";
            }
            if (t instanceof UnknownHostException) {
                return "the profile service's host name does not resolve";
            }
            if (t instanceof SSLException) {
                return "TLS with the profile service failed";
            }
        }
        return failure.getClass().getSimpleName();
    }

    private static ProfileLookup failed(String why) {
        return new ProfileLookup.Failed("profile lookup failed: " + why);
    }
}
