package io.mailgateway.tenant;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.apache.camel.util.TimeUtils;

import io.mailgateway.request.MailAddress;

/**
 * The settings of one tenant in the tenants file; a request's topic, or else its {@code tags.tenant}, selects it.
 *
 * @param from      From when the request names none, or null
 * @param replyTo   Reply-To when the request names none, or null
 * @param locale    locale when the request names none, or null
 * @param variables template variables under the request's own data (e.g. brand name and colours)
 * @param relays    the relays for every recipient of the tenant, in failover order; empty to route by recipient domain
 * @param rateLimit the tenant's send-rate limit, or null for none
 * @param bulk      which of the tenant's mail is bulk mail, or null for none
 * @param withoutDkimKey what to do with mail whose From domain has no DKIM key, or null for the gateway's setting
 * @param bounceDomain the domain of the tenant's VERP return paths, or null for the gateway's GATEWAY_BOUNCE_DOMAIN
 * @param topic     the Kafka topic the tenant's requests arrive on (its own or from the file's topicPattern), or null
 *                  when producers name their tenant in {@code tags.tenant}
 */
public record Tenant(String id, MailAddress from, MailAddress replyTo, String locale, Map<String, Object> variables,
        List<String> relays, RateLimit rateLimit, Bulk bulk, WithoutDkimKey withoutDkimKey, String bounceDomain,
        String topic) {

    /** Mail from a domain with no DKIM key is sent unsigned, or refused. */
    public enum WithoutDkimKey { SEND, REFUSE }

    public Tenant {
        variables = variables == null ? Map.of() : Map.copyOf(variables);
        relays = relays == null ? List.of() : List.copyOf(relays);
    }

    /** At most {@code messages} messages per {@code per}, per gateway instance. */
    public record RateLimit(int messages, Duration per) {

        public RateLimit {
            if (messages < 1) {
                throw new IllegalArgumentException("messages must be at least 1 but was " + messages);
            }
            if (per == null || per.isNegative() || per.isZero()) {
                throw new IllegalArgumentException("per must be a positive duration");
            }
        }

        /**
         * A limit as a tenants or relays file writes it ({@code messages: 10, per: 1s}); {@code where} names the key
         * in start-up errors, which show the period as written (it is no secret).
         */
        public static RateLimit fromSettings(String where, int messages, String per) {
            Duration period;
            try {
                period = TimeUtils.toDuration(per.trim());
            } catch (RuntimeException e) {
                throw new IllegalStateException(where + ".per: not a duration (e.g. 500ms, 1s, 1m): '" + per + "'");
            }
            if (period.isZero() || period.isNegative()) {
                throw new IllegalStateException(where + ".per: must be positive");
            }
            if (period.dividedBy(messages).isZero()) {
                throw new IllegalStateException(where + ": more than one message per nanosecond is no limit");
            }
            return new RateLimit(messages, period);
        }

        /** The spacing between two messages when the limit is spread evenly over its period. */
        public Duration interval() {
            return per.dividedBy(messages);
        }

        @Override
        public String toString() {
            return messages + " messages per " + per.toString().substring(2).toLowerCase(Locale.ROOT);
        }
    }

    /**
     * A tenant's bulk mail: which kinds of request ({@code tags.kind}) are bulk, and the template of their one-click
     * unsubscribe URL. With {@code byDefault} every request of the tenant is bulk unless its kind is one of
     * {@code transactionalKinds}, so a request that names no kind cannot skip unsubscribe handling.
     */
    public record Bulk(Set<String> kinds, String unsubscribeUrl, boolean byDefault, Set<String> transactionalKinds) {

        /** Where the unsubscribe URL takes the signed token of its recipient. */
        public static final String TOKEN_PLACEHOLDER = "{token}";

        public Bulk {
            kinds = kinds == null ? Set.of() : Set.copyOf(kinds);
            transactionalKinds = transactionalKinds == null ? Set.of() : Set.copyOf(transactionalKinds);
        }

        /** Bulk mail of the listed kinds only. */
        public Bulk(Set<String> kinds, String unsubscribeUrl) {
            this(kinds, unsubscribeUrl, false, Set.of());
        }

        /** Whether a request of this kind ({@code tags.kind}, null when it names none) is bulk mail. */
        public boolean covers(String kind) {
            if (byDefault) {
                return kind == null || !transactionalKinds.contains(kind);
            }
            return kind != null && kinds.contains(kind);
        }
    }
}
