package io.mailgateway.enrich;

import java.util.Map;

import io.mailgateway.request.MailAddress;

/**
 * Defaults for the requests of one tenant (selected by the request's {@code tags.tenant}).
 *
 * @param from      From when the request names none, or null
 * @param replyTo   Reply-To when the request names none, or null
 * @param locale    locale when the request names none, or null
 * @param variables template variables under the request's own data (e.g. brand name and colours)
 */
public record Tenant(String id, MailAddress from, MailAddress replyTo, String locale, Map<String, Object> variables) {

    public Tenant {
        variables = variables == null ? Map.of() : Map.copyOf(variables);
    }
}
