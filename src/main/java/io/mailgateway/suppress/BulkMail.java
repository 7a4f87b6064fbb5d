package io.mailgateway.suppress;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.mail.MessagingException;

import io.mailgateway.attempt.Attempt;
import io.mailgateway.tenant.Tenant.Bulk;
import io.mailgateway.tenant.Tenants;
import io.mailgateway.mime.OutboundMessage;
import io.mailgateway.request.MailRequest;
import io.mailgateway.request.RequestRejectedException;

/**
 * Bulk mail of a tenant (newsletters, digests): the requests whose {@code tags.kind} the tenant lists under
 * {@code bulk.kinds} in the tenants file, or with {@code bulk.byDefault} every request whose kind is not one of
 * {@code bulk.transactionalKinds}. Each gets RFC 8058 one-click unsubscribe headers with a URL from the tenant's
 * template and a signed token for its one recipient.
 */
public final class BulkMail {

    /** RFC 8058: the body a mail provider POSTs to the List-Unsubscribe URL. */
    public static final String ONE_CLICK = "List-Unsubscribe=One-Click";

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

    /** The {@code bulk:} settings of the tenants that send bulk mail. */
    public static Map<String, Bulk> settingsOf(Tenants tenants) {
        Map<String, Bulk> byTenant = new LinkedHashMap<>();
        tenants.all().stream().filter(tenant -> tenant.bulk() != null)
                .forEach(tenant -> byTenant.put(tenant.id(), tenant.bulk()));
        return byTenant;
    }

    /**
     * Refuses a bulk request that does not name exactly one recipient: its unsubscribe link is for one address.
     * Other requests pass unchanged.
     */
    public MailRequest check(MailRequest request) {
        if (bulkOf(request) == null) {
            return request;
        }
        String why = why(request);
        if (!request.cc().isEmpty() || !request.bcc().isEmpty()) {
            String field = request.cc().isEmpty() ? "bcc" : "cc";
            throw rejected(request, field + ": a bulk request (" + why
                    + ") goes to exactly one recipient in 'to', so it cannot have " + field);
        }
        if (request.to().size() != 1) {
            throw rejected(request, "to: a bulk request (" + why + ") must name exactly one recipient,"
                    + " not " + request.to().size());
        }
        return request;
    }

    /** Adds List-Unsubscribe and List-Unsubscribe-Post to a bulk request's message; others pass unchanged. */
    public OutboundMessage addUnsubscribeHeaders(OutboundMessage message, Attempt attempt) {
        MailRequest request = attempt.request();
        Bulk bulk = bulkOf(request);
        if (bulk == null) {
            return message;
        }
        check(request);
        String token = tokens.sign(request.tags().get("tenant"), request.to().get(0).address(), clock.instant(),
                request.id());
        String url = bulk.unsubscribeUrl().replace(Bulk.TOKEN_PLACEHOLDER, URLEncoder.encode(token, StandardCharsets.US_ASCII));
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
        return bulk != null && bulk.covers(kind) ? bulk : null;
    }

    // The producer learns why the gateway took the request for bulk mail, and so how to send it otherwise.
    private String why(MailRequest request) {
        String kind = request.tags().get("kind");
        if (byTenant.get(request.tags().get("tenant")).byDefault()) {
            return kind == null ? "tenant's mail is bulk by default and tags.kind names no transactional kind"
                    : "tenant's mail is bulk by default and tags.kind '" + kind + "' is not a transactional kind";
        }
        return "tags.kind '" + kind + "'";
    }

    private static RequestRejectedException rejected(MailRequest request, String detail) {
        return new RequestRejectedException("invalid-request", detail, request.id(), request.tags());
    }
}
