package io.mailgateway.enrich;

import java.net.IDN;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.mailgateway.request.MailAddress;
import io.mailgateway.request.MailRequest;
import io.mailgateway.request.RequestRejectedException;
import io.mailgateway.tenant.Tenant;
import io.mailgateway.tenant.Tenants;

/**
 * Completes a validated request with its tenant's and the gateway's defaults (From, Reply-To, locale, template
 * variables) and enforces the allow-list of sender domains.
 */
public final class Enricher {

    private final Tenants tenants;
    private final MailAddress defaultFrom;
    private final Set<String> allowedSenderDomains;

    public Enricher(Tenants tenants, MailAddress defaultFrom, Set<String> allowedSenderDomains) {
        this.tenants = tenants;
        this.defaultFrom = defaultFrom;
        this.allowedSenderDomains = allowedSenderDomains.stream().map(Enricher::normalizeDomain).collect(Collectors.toUnmodifiableSet());
    }

    public MailRequest enrich(MailRequest request) {
        String tenantId = request.tags().get("tenant");
        Tenant tenant = tenants.find(tenantId).orElse(null);
        if (tenant == null && tenantId != null && !tenants.isEmpty()) {
            throw rejected(request, "invalid-request", "tags.tenant: unknown tenant '" + tenantId + "'");
        }
        MailAddress from = firstOf(request.from(), tenant == null ? null : tenant.from(), defaultFrom);
        if (from == null) {
            throw rejected(request, "sender-not-allowed",
                    "from: missing, and neither the tenant nor the gateway has a default From");
        }
        String domain = normalizeDomain(from.address().substring(from.address().lastIndexOf('@') + 1));
        if (!allowedSenderDomains.contains(domain)) {
            throw rejected(request, "sender-not-allowed",
                    "from: domain '" + domain + "' is not an allowed sender domain");
        }
        MailAddress replyTo = firstOf(request.replyTo(), tenant == null ? null : tenant.replyTo(), null);
        String locale = request.locale() != null ? request.locale() : tenant == null ? null : tenant.locale();
        return new MailRequest(request.id(), request.template(), locale, from, replyTo, request.to(), request.cc(),
                request.bcc(), request.subject(), request.text(), request.html(), data(tenant, request),
                request.attachments(), request.headers(), request.tags());
    }

    private static RequestRejectedException rejected(MailRequest request, String category, String detail) {
        return new RequestRejectedException(category, detail, request.id(), request.tags());
    }

    // The request's own data wins over the tenant's variables of the same name.
    private static Map<String, Object> data(Tenant tenant, MailRequest request) {
        if (tenant == null || tenant.variables().isEmpty()) {
            return request.data();
        }
        Map<String, Object> merged = new HashMap<>(tenant.variables());
        merged.putAll(request.data());
        return merged;
    }

    private static MailAddress firstOf(MailAddress first, MailAddress second, MailAddress third) {
        return first != null ? first : second != null ? second : third;
    }

    // Compared as ASCII (A-labels), so a look-alike Unicode domain never matches an allowed one by accident.
    private static String normalizeDomain(String domain) {
        try {
            return IDN.toASCII(domain.trim(), IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return "invalid:" + domain;
        }
    }
}
