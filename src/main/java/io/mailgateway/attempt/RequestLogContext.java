package io.mailgateway.attempt;

import org.slf4j.MDC;

/**
 * Names the request a thread is handling in every log line it writes meanwhile: the logging context keys
 * {@value #REQUEST_ID} and {@value #TENANT}, fields of their own in JSON logs.
 *
 * <p>The routes enter an attempt once its request is parsed, and the attempt's end (the one step the routes run once
 * an attempt is over) leaves it, so that a thread's next lines never carry a request it finished.
 */
public final class RequestLogContext {

    /** The request's id, or the record's fallback id when the request has none that can be read. */
    public static final String REQUEST_ID = "mail.request_id";
    /** The tenant the request belongs to; absent when it belongs to none. */
    public static final String TENANT = "mail.tenant";

    /** Logging on this thread names the attempt's request from now on. */
    public void enter(Attempt attempt) {
        leave();
        MDC.put(REQUEST_ID, attempt.request() == null ? attempt.fallbackId() : attempt.request().id());
        if (attempt.tenant() != null) {
            MDC.put(TENANT, attempt.tenant());
        }
    }

    /** Logging on this thread names no request any more. */
    public void leave() {
        MDC.remove(REQUEST_ID);
        MDC.remove(TENANT);
    }
}
