package io.mailgateway.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.tenant.Tenants;

/** A tenant over its send-rate limit waits a bounded time, then its request is deferred; other tenants are not held. */
class TenantRateLimitsTest {

    @TempDir
    Path dir;

    @Test
    void aRequestWithoutAPermitInTimeIsDeferredNamingTheTenantsLimit() throws IOException {
        TenantRateLimits limits = limits("""
                tenants:
                  trickle:
                    rateLimit: {messages: 1, per: 1h}
                  free: {}
                """, Duration.ofMillis(200));

        assertThatCode(() -> limits.acquire(request("trickle"))).doesNotThrowAnyException();
        long started = System.nanoTime();
        TenantRateLimitedException deferred = catchThrowableOfType(TenantRateLimitedException.class,
                () -> limits.acquire(request("trickle")));
        Duration waited = Duration.ofNanos(System.nanoTime() - started);

        assertThat(deferred.category()).isEqualTo("relay-unavailable");
        assertThat(deferred.getMessage()).contains("tenant 'trickle'", "send-rate limit", "1 messages per 1h");
        assertThat(waited).isLessThan(Duration.ofSeconds(5));
        // tenants without a limit, and requests without a tenant, never wait
        for (int i = 0; i < 100; i++) {
            assertThatCode(() -> limits.acquire(request("free"))).doesNotThrowAnyException();
            assertThatCode(() -> limits.acquire(request(null))).doesNotThrowAnyException();
        }
    }

    @Test
    void permitsAreSpreadEvenlyOverThePeriod() throws Exception {
        TenantRateLimits limits = limits("""
                tenants:
                  steady:
                    rateLimit: {messages: 20, per: 1s}
                """, Duration.ofSeconds(5));

        long started = System.nanoTime();
        for (int i = 0; i < 11; i++) {
            limits.acquire(request("steady"));
        }
        // One permit per 50 ms slot: the 11th comes at least nine whole slots after the first, not at once.
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(440));
    }

    @Test
    void noPermitIsGrantedWhileTheInstancesAreNotCounted() throws IOException {
        TenantRateLimits limits = new TenantRateLimits(Tenants.load(Files.writeString(dir.resolve("tenants.yaml"), """
                tenants:
                  steady:
                    rateLimit: {messages: 20, per: 1s}
                """)), Duration.ofSeconds(5));

        TenantRateLimitedException deferred = catchThrowableOfType(TenantRateLimitedException.class,
                () -> limits.acquire(request("steady")));

        assertThat(deferred.getMessage()).contains("tenant 'steady'", "the number of gateway instances is not known");
    }

    /** The limits of one instance alone. */
    private TenantRateLimits limits(String yaml, Duration wait) throws IOException {
        TenantRateLimits limits =
                new TenantRateLimits(Tenants.load(Files.writeString(dir.resolve("tenants.yaml"), yaml)), wait);
        limits.limits().forEach(limit -> limit.shareAmong(1));
        return limits;
    }

    private static Submission request(String tenant) {
        return new Submission() {
            @Override
            public String tenant() {
                return tenant;
            }

            @Override
            public List<String> pending() {
                return null;
            }

            @Override
            public String requestId() {
                return "r-1";
            }
        };
    }
}
