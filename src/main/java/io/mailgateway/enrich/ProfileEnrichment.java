package io.mailgateway.enrich;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mailgateway.request.MailAddress;
import io.mailgateway.request.MailRequest;

/**
 * Adds the recipient's profile, looked up over HTTP by the enrich-profile route, to a request's template data under
 * the name {@code profile}, and applies the failure policy when the lookup did not work.
 */
public final class ProfileEnrichment {

    /** The template variable that holds the profile. */
    public static final String VARIABLE = "profile";

    private static final Logger LOG = LoggerFactory.getLogger(ProfileEnrichment.class);

    private final ProfileUrlTemplate url;
    private final ProfileCache cache;
    private final ProfileFailurePolicy onFailure;
    private final Runnable cacheHits;

    /**
     * @param url       null turns profile enrichment off
     * @param cacheHits told of every lookup answered from the cache (metrics)
     */
    public ProfileEnrichment(ProfileUrlTemplate url, ProfileCache cache, ProfileFailurePolicy onFailure,
            Runnable cacheHits) {
        this.url = url;
        this.cache = cache;
        this.onFailure = onFailure;
        this.cacheHits = cacheHits;
    }

    public static ProfileEnrichment off() {
        return new ProfileEnrichment(null, new ProfileCache(Duration.ZERO, 0), ProfileFailurePolicy.CONTINUE, () -> {
        });
    }

    public boolean enabled() {
        return url != null;
    }

    /**
     * Whose profile to look up: the mail's only recipient (to, cc and bcc together). Null when the feature is off,
     * when the request brings its own {@code data.profile}, or when the mail goes to several people: one person's
     * profile must not end up in a mail that others (perhaps in Bcc) receive too.
     */
    public String recipient(MailRequest request) {
        if (url == null || request.data().containsKey(VARIABLE)) {
            return null;
        }
        List<MailAddress> all = Stream.of(request.to(), request.cc(), request.bcc()).flatMap(List::stream).toList();
        long distinct = all.stream().map(a -> a.address().toLowerCase(Locale.ROOT)).distinct().count();
        return distinct == 1 ? all.get(0).address() : null;
    }

    /** The remembered profile of this recipient, or null when the profile service must be asked. */
    public ProfileLookup cached(String address) {
        ProfileLookup remembered = cache.find(address);
        if (remembered != null) {
            cacheHits.run();
        }
        return remembered;
    }

    /** The profile service's URL for this recipient. */
    public String url(String address) {
        return url.expand(address);
    }

    /**
     * The request with the profile in its template data. The request's own data wins: a {@code profile} it brings
     * is never replaced. A failed lookup sends the mail without a profile, defers it or fails it.
     *
     * @param lookup null when no lookup was made (off, several recipients)
     */
    public MailRequest apply(MailRequest request, ProfileLookup lookup) {
        if (lookup instanceof ProfileLookup.Found found && !request.data().containsKey(VARIABLE)) {
            return withData(request, merged(request.data(), found.profile()));
        }
        if (lookup instanceof ProfileLookup.Failed failed) {
            switch (onFailure) {
                case DEFER -> throw new ProfileLookupException(failed.detail(), true);
                case FAIL -> throw new ProfileLookupException(failed.detail(), false);
                case CONTINUE -> LOG.warn("Request {} is sent without a profile: {}", request.id(), failed.detail());
            }
        }
        return request;
    }

    static Map<String, Object> merged(Map<String, Object> data, Map<String, Object> profile) {
        Map<String, Object> merged = new LinkedHashMap<>(data);
        merged.putIfAbsent(VARIABLE, profile);
        return merged;
    }

    private static MailRequest withData(MailRequest r, Map<String, Object> data) {
        return new MailRequest(r.id(), r.template(), r.locale(), r.from(), r.replyTo(), r.to(), r.cc(), r.bcc(),
                r.subject(), r.text(), r.html(), data, r.attachments(), r.headers(), r.tags());
    }
}
