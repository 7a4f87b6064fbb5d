package io.mailgateway.enrich;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.io.entity.HttpEntityWrapper;
import org.apache.hc.core5.http.message.BasicHeader;
import org.apache.hc.core5.http.protocol.HttpContext;

/**
 * The HTTP client of profile lookups: asks for JSON, sends the configured Authorization header (never over plain
 * http:// except to loopback) and nothing else of its own, never retries, follows no redirect, keeps no cookies,
 * and reads at most a bounded answer within the lookup timeout. Answers beyond the limit are cut off and their
 * connection discarded, not read to the end.
 */
public final class ProfileHttpClient implements HttpClientConfigurer {

    private final String authorization;
    private final long maxBytes;
    private final Duration timeout;

    /** @param authorization the Authorization header's value, e.g. "Bearer ...", or null for none */
    public ProfileHttpClient(String authorization, long maxBytes, Duration timeout) {
        if (authorization != null && authorization.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            // the value itself is a secret: never part of the message
            throw new IllegalArgumentException("GATEWAY_PROFILE_AUTH_HEADER_FILE must hold one line: the value of"
                    + " the Authorization header");
        }
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("GATEWAY_PROFILE_MAX_BYTES must be positive");
        }
        this.authorization = authorization;
        this.maxBytes = maxBytes;
        this.timeout = timeout;
    }

    @Override
    public void configureHttpClient(HttpClientBuilder builder) {
        List<Header> headers = new ArrayList<>();
        headers.add(new BasicHeader(HttpHeaders.ACCEPT, "application/json"));
        if (authorization != null) {
            headers.add(new BasicHeader(HttpHeaders.AUTHORIZATION, authorization, true));
        }
        builder.setDefaultHeaders(headers)
                // a retry or a redirect would stretch the lookup beyond its timeout, or send the token elsewhere
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .disableCookieManagement()
                .disableAuthCaching()
                // a compressed answer could inflate far beyond the size limit
                .disableContentCompression()
                // first in the chain: before any connection is opened or header added
                .addExecInterceptorFirst("refuse-cleartext-credentials", (request, scope, chain) -> {
                    refuseCleartextCredentials(scope.route.getTargetHost());
                    return chain.proceed(request, scope);
                })
                .addResponseInterceptorLast(this::bound);
    }

    // Start-up refuses such a URL already; this holds for whatever URL a request is actually sent to.
    void refuseCleartextCredentials(HttpHost target) throws IOException {
        if (authorization != null
                && ProfileUrlTemplate.cleartextOffHost(target.getSchemeName(), target.getHostName())) {
            throw new CleartextCredentialsException(target.getHostName());
        }
    }

    private void bound(HttpResponse response, EntityDetails details, HttpContext context) throws IOException {
        if (!(response instanceof ClassicHttpResponse classic) || classic.getEntity() == null) {
            return;
        }
        HttpEntity entity = classic.getEntity();
        String encoding = entity.getContentEncoding();
        if (encoding != null && !encoding.isBlank() && !encoding.trim().equalsIgnoreCase("identity")) {
            throw new UnexpectedEncodingException();
        }
        if (entity.getContentLength() > maxBytes) {
            throw new TooLargeException(maxBytes);
        }
        classic.setEntity(new BoundedEntity(entity, maxBytes, System.nanoTime() + timeout.toNanos()));
    }

    @Override
    public String toString() {
        return "ProfileHttpClient[maxBytes=" + maxBytes + ", timeout=" + timeout + ", authorization="
                + (authorization == null ? "none" : "set") + "]";
    }

    /** A lookup would have sent the Authorization header over plain http:// to a host other than loopback. */
    static final class CleartextCredentialsException extends IOException {
        CleartextCredentialsException(String host) {
            super("refused to send the Authorization header over plain http:// to " + host
                    + "; GATEWAY_PROFILE_URL must use https://");
        }
    }

    /** The profile service answered with more than the allowed number of bytes. */
    static final class TooLargeException extends IOException {
        TooLargeException(long maxBytes) {
            super("the profile is larger than " + maxBytes + " bytes");
        }
    }

    /** The profile service compressed its answer although the gateway did not ask for that. */
    static final class UnexpectedEncodingException extends IOException {
        UnexpectedEncodingException() {
            super("the profile service sent a compressed answer");
        }
    }

    /** The body of an answer, readable up to the size limit and until the deadline. */
    private static final class BoundedEntity extends HttpEntityWrapper {

        private final long maxBytes;
        private final long deadline;
        private InputStream content;

        BoundedEntity(HttpEntity entity, long maxBytes, long deadline) {
            super(entity);
            this.maxBytes = maxBytes;
            this.deadline = deadline;
        }

        // One stream for every caller, so the byte count cannot start over.
        @Override
        public synchronized InputStream getContent() throws IOException {
            if (content == null) {
                content = new BoundedStream(super.getContent(), maxBytes, deadline);
            }
            return content;
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
            getContent().transferTo(out);
        }

        @Override
        public boolean isRepeatable() {
            return false;
        }
    }

    private static final class BoundedStream extends FilterInputStream {

        private final long maxBytes;
        private final long deadline;
        private long read;

        BoundedStream(InputStream in, long maxBytes, long deadline) {
            super(in);
            this.maxBytes = maxBytes;
            this.deadline = deadline;
        }

        @Override
        public int read() throws IOException {
            checkDeadline();
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            checkDeadline();
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            // through read, so skipped bytes count and the deadline holds
            byte[] buffer = new byte[(int) Math.min(n, 8192)];
            int skipped = read(buffer, 0, buffer.length);
            return Math.max(skipped, 0);
        }

        private void checkDeadline() throws SocketTimeoutException {
            if (System.nanoTime() - deadline > 0) {
                throw new SocketTimeoutException("the profile did not arrive in time");
            }
        }

        private void count(int n) throws TooLargeException {
            read += n;
            if (read > maxBytes) {
                throw new TooLargeException(maxBytes);
            }
        }
    }
}
