package io.mailgateway.suppress;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import jakarta.mail.MessagingException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.mailgateway.mime.OutboundMessage;
import io.mailgateway.request.MailRequest;
import io.mailgateway.request.RequestRejectedException;

/**
 * Bulk mail of a tenant (newsletters, digests): the requests whose {@code tags.kind} the tenant lists under
 * {@code bulk.kinds} in the tenants file. Each gets RFC 8058 one-click unsubscribe headers with a URL from the
 * tenant's template and a signed token for its one recipient.
 */
public final class BulkMail {

    /** RFC 8058: the body a mail provider POSTs to the List-Unsubscribe URL. */
    public static final String ONE_CLICK = "List-Unsubscribe=One-Click";
    public static final String TOKEN_PLACEHOLDER = "{token}";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** A tenant's bulk settings: which kinds of request are bulk, and the unsubscribe URL template. */
    public record Bulk(Set<String> kinds, String unsubscribeUrl) {

        public Bulk {
            kinds = Set.copyOf(kinds);
        }
    }

    private final Map<String, Bulk> byTenant;
    private final UnsubscribeTokens tokens;
    private final Clock clock;

    public BulkMail(Map<String, Bulk> byTenant, UnsubscribeTokens tokens, Clock clock) {
        if (!byTenant.isEmpty() && tokens == null) {
            throw new IllegalStateException("tenants " + byTenant.keySet() + " send bulk mail, which needs signed"
                    + " unsubscribe links: set GATEWAY_UNSUBSCRIBE_SECRET_FILE (or GATEWAY_UNSUBSCRIBE_SECRET)");
        }
        this.byTenant = Map.copyOf(byTenant);
        this.tokens = tokens;
        this.clock = clock;
    }

    /** No tenant sends bulk mail. */
    public static BulkMail none() {
        return new BulkMail(Map.of(), null, Clock.systemUTC());
    }

    /** The {@code bulk:} settings of every tenant in the tenants file; a broken setting stops start-up. */
    public static Map<String, Bulk> read(Path tenantsFile) {
        JsonNode tenants;
        try {
            JsonNode root = YAML.readTree(tenantsFile.toFile());
            tenants = root == null ? null : root.get("tenants");
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read the tenants file " + tenantsFile + ": " + e.getMessage(), e);
        }
        Map<String, Bulk> byTenant = new LinkedHashMap<>();
        if (tenants == null || !tenants.isObject()) {
            return byTenant;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = tenants.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> tenant = it.next();
            JsonNode bulk = tenant.getValue() == null ? null : tenant.getValue().get("bulk");
            if (bulk != null && !bulk.isNull()) {
                byTenant.put(tenant.getKey(), bulk(tenantsFile + ": tenants." + tenant.getKey() + ".bulk", bulk));
            }
        }
        return byTenant;
    }

    private static Bulk bulk(String where, JsonNode node) {
        if (!node.isObject() || !node.path("kinds").isArray() || node.get("kinds").isEmpty()) {
            throw new IllegalStateException(where + " must be a map with a non-empty list 'kinds' and 'unsubscribeUrl'");
        }
        Set<String> kinds = new LinkedHashSet<>();
        node.get("kinds").forEach(kind -> kinds.add(kind.asText()));
        String url = node.path("unsubscribeUrl").asText("");
        if (!url.contains(TOKEN_PLACEHOLDER)) {
            throw new IllegalStateException(where + ".unsubscribeUrl must contain " + TOKEN_PLACEHOLDER);
        }
        checkScheme(where + ".unsubscribeUrl", url);
        return new Bulk(kinds, url);
    }

    // RFC 8058 asks for HTTPS; plain HTTP is accepted only on this host, for trying the gateway out locally.
    private static void checkScheme(String where, String url) {
        try {
            URI uri = new URI(url.replace(TOKEN_PLACEHOLDER, "token"));
            String host = uri.getHost() == null ? "" : uri.getHost();
            boolean loopback = host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]");
            if (!"https".equalsIgnoreCase(uri.getScheme()) && !("http".equalsIgnoreCase(uri.getScheme()) && loopback)) {
                throw new IllegalStateException(where + " must be an https:// URL (RFC 8058)");
            }
        } catch (URISyntaxException e) {
            throw new IllegalStateException(where + " is not a URL: " + e.getReason());
        }
    }

    /**
     * Refuses a bulk request that does not name exactly one recipient: its unsubscribe link is for one address.
     * Other requests pass unchanged.
     */
    public MailRequest check(MailRequest request) {
        if (bulkOf(request) == null) {
            return request;
        }
        String kind = request.tags().get("kind");
        if (!request.cc().isEmpty() || !request.bcc().isEmpty()) {
            String field = request.cc().isEmpty() ? "bcc" : "cc";
            throw rejected(request, field + ": a bulk request (tags.kind '" + kind
                    + "') goes to exactly one recipient in 'to', so it cannot have " + field);
        }
        if (request.to().size() != 1) {
            throw rejected(request, "to: a bulk request (tags.kind '" + kind + "') must name exactly one recipient,"
                    + " not " + request.to().size());
        }
        return request;
    }

    /** Adds List-Unsubscribe and List-Unsubscribe-Post to a bulk request's message; others pass unchanged. */
    public OutboundMessage addUnsubscribeHeaders(OutboundMessage message, MailRequest request) {
        Bulk bulk = bulkOf(request);
        if (bulk == null) {
            return message;
        }
        check(request);
        String token = tokens.sign(request.tags().get("tenant"), request.to().get(0).address(), clock.instant());
        String url = bulk.unsubscribeUrl().replace(TOKEN_PLACEHOLDER, URLEncoder.encode(token, StandardCharsets.US_ASCII));
        try {
            message.setHeader("List-Unsubscribe", "<" + url + ">");
            message.setHeader("List-Unsubscribe-Post", ONE_CLICK);
        } catch (MessagingException e) {
            throw new IllegalStateException("cannot set the unsubscribe headers", e);
        }
        return message;
    }

    /** Whether this request is bulk mail of its tenant. */
    public boolean isBulk(MailRequest request) {
        return bulkOf(request) != null;
    }

    private Bulk bulkOf(MailRequest request) {
        String tenant = request.tags().get("tenant");
        String kind = request.tags().get("kind");
        Bulk bulk = tenant == null ? null : byTenant.get(tenant);
        return bulk != null && kind != null && bulk.kinds().contains(kind) ? bulk : null;
    }

    private static RequestRejectedException rejected(MailRequest request, String detail) {
        return new RequestRejectedException("invalid-request", detail, request.id(), request.tags());
    }
}
