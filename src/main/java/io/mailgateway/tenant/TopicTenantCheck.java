package io.mailgateway.tenant;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import io.mailgateway.request.MailRequest;
import io.mailgateway.request.RequestRejectedException;

/** Binds a request to the tenant of the topic it arrived on, so that Kafka ACLs on topics decide who uses a tenant. */
public final class TopicTenantCheck {

    /** The tag that names a request's tenant. */
    public static final String TENANT_TAG = "tenant";

    private final Tenants tenants;

    public TopicTenantCheck(Tenants tenants) {
        this.tenants = tenants;
    }

    /**
     * The request as its topic allows it: on a tenant's topic it belongs to that tenant ({@code tags.tenant} set when
     * missing), on the shared topic to none. Without tenant topics producers are trusted to name their tenant.
     *
     * @throws RequestRejectedException (invalid-request) when {@code tags.tenant} names a tenant the topic does not
     *                                  allow
     */
    public MailRequest check(String topic, MailRequest request) {
        if (!tenants.topicBound()) {
            return request;
        }
        String named = request.tags().get(TENANT_TAG);
        Optional<Tenant> owner = tenants.tenantOfTopic(topic);
        if (owner.isEmpty()) {
            if (named != null) {
                throw rejected(request, "tags.tenant: a request on the shared topic " + topic + " may not name a"
                        + " tenant; tenant '" + named + "' takes requests on its own topic");
            }
            return request;
        }
        String tenant = owner.get().id();
        if (named == null) {
            return withTenant(request, tenant);
        }
        if (!named.equals(tenant)) {
            throw rejected(request, "tags.tenant: names '" + named + "', but the request arrived on " + topic
                    + ", the topic of tenant '" + tenant + "'");
        }
        return request;
    }

    private static RequestRejectedException rejected(MailRequest request, String detail) {
        return new RequestRejectedException(RequestRejectedException.INVALID_REQUEST, detail, request.id(),
                request.tags());
    }

    private static MailRequest withTenant(MailRequest request, String tenant) {
        Map<String, String> tags = new LinkedHashMap<>(request.tags());
        tags.put(TENANT_TAG, tenant);
        return new MailRequest(request.id(), request.template(), request.locale(), request.from(), request.replyTo(),
                request.to(), request.cc(), request.bcc(), request.subject(), request.text(), request.html(),
                request.data(), request.attachments(), request.headers(), tags);
    }
}
