package io.mailgateway.enrich;

import java.time.Duration;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * Profiles (and "no profile" answers) by recipient address for a while, so a recipient who gets several mails is
 * looked up once. Failures are never remembered: the next mail asks again.
 */
public final class ProfileCache {

    private final Cache<String, ProfileLookup> cache;

    /** A time to live or size of zero turns the cache off. */
    public ProfileCache(Duration timeToLive, long maximumSize) {
        if (timeToLive.isNegative() || maximumSize < 0) {
            throw new IllegalArgumentException("GATEWAY_PROFILE_CACHE_TTL and GATEWAY_PROFILE_CACHE_SIZE must not be"
                    + " negative");
        }
        cache = timeToLive.isZero() || maximumSize == 0 ? null : Caffeine.newBuilder()
                .expireAfterWrite(timeToLive)
                .maximumSize(maximumSize)
                // housekeeping on the calling threads instead of a shared pool
                .executor(Runnable::run)
                .build();
    }

    /** The remembered outcome for this address, or null when it must be looked up. */
    public ProfileLookup find(String address) {
        return cache == null ? null : cache.getIfPresent(address);
    }

    public void remember(String address, ProfileLookup lookup) {
        if (cache != null && !(lookup instanceof ProfileLookup.Failed)) {
            cache.put(address, lookup);
        }
    }

    public long size() {
        return cache == null ? 0 : cache.estimatedSize();
    }
}
