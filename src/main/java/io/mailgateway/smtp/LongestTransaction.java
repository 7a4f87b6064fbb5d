package io.mailgateway.smtp;

import java.time.Duration;
import java.util.Map;

/**
 * The longest one submission to a relay may take under the timeouts configured, counted wait by wait; the gateway
 * refuses to start when its shutdown timeout is shorter, because a mail the relay accepts after the gateway stopped
 * waiting has no result and no committed offset, and is sent again by the next consumer of its partition.
 *
 * <p>A submission waits at most for:
 * <ul>
 * <li>a free pooled connection: connect + read timeout (the pool's bound);</li>
 * <li>a new connection: the connect timeout, then {@value #SESSION_REPLIES} replies (greeting, EHLO, STARTTLS,
 * the TLS handshake, EHLO again, and up to three for AUTH LOGIN);</li>
 * <li>the message: one reply to MAIL, one per recipient (RCPT, one at a time), one to DATA and one to the final
 * ".", and one write timeout for the message itself (a relay that stops reading fails the write within it);</li>
 * <li>RSET before the connection goes back to the pool: one reply.</li>
 * </ul>
 * So: 2 × connect + ({@value #FIXED_REPLIES} + recipients) × read + write.
 *
 * <p>With VERP each recipient's copy is a transaction of its own ({@value #COPY_REPLIES} replies and one write
 * each), which could take several times as long; so no further copy starts once the one after it could end past this
 * same bound ({@link #lastCopyStart}), and the recipients left wait for the next attempt.
 */
public final class LongestTransaction {

    /** Replies while opening a connection: greeting, EHLO, STARTTLS, TLS handshake, EHLO, AUTH LOGIN (3). */
    static final int SESSION_REPLIES = 8;
    /** Every reply waited for besides one per recipient: the pool's wait, the session, MAIL, DATA, ".", RSET. */
    static final int FIXED_REPLIES = 1 + SESSION_REPLIES + 3 + 1;
    /** Replies one recipient's own transaction waits for: MAIL, RCPT, DATA and ".". */
    static final int COPY_REPLIES = 4;

    private LongestTransaction() {
    }

    /** The longest submission of a message with this many recipients under these timeouts. */
    public static Duration of(Duration connect, Duration read, Duration write, int recipients) {
        return connect.multipliedBy(2).plus(read.multipliedBy(FIXED_REPLIES + (long) recipients)).plus(write);
    }

    public static Duration of(SmtpSettings relay, int recipients) {
        return of(relay.connectTimeout(), relay.readTimeout(), relay.writeTimeout(), recipients);
    }

    /**
     * How long after a submission began a further recipient's own transaction may still start: its replies, its
     * write and the RSET before the connection goes back to the pool then end within {@link #of}.
     */
    public static Duration lastCopyStart(SmtpSettings relay, int recipients) {
        return of(relay, recipients).minus(relay.readTimeout().multipliedBy(COPY_REPLIES + 1L))
                .minus(relay.writeTimeout());
    }

    /**
     * Refuses a shutdown timeout shorter than the longest submission to any of these relays.
     *
     * @param relays     the relays by name; "default" is the one of the SMTP_* settings
     * @param recipients the most recipients a request may have (GATEWAY_MAX_RECIPIENTS)
     */
    public static void requireCoveredBy(Duration shutdownTimeout, Map<String, SmtpSettings> relays, int recipients) {
        for (Map.Entry<String, SmtpSettings> relay : relays.entrySet()) {
            Duration longest = of(relay.getValue(), recipients);
            if (shutdownTimeout.compareTo(longest) < 0) {
                long needed = (longest.toMillis() + 999) / 1000;
                // A relay of the relays file may have timeouts of its own; the others take the SMTP_* ones.
                String[] timeouts = relay.getKey().equals("default")
                        ? new String[] {"SMTP_CONNECT_TIMEOUT_MS", "SMTP_READ_TIMEOUT_MS", "SMTP_WRITE_TIMEOUT_MS"}
                        : new String[] {"connectTimeoutMs", "readTimeoutMs", "writeTimeoutMs"};
                throw new IllegalStateException("GATEWAY_SHUTDOWN_TIMEOUT_SECONDS (" + shutdownTimeout.toSeconds()
                        + " s) is shorter than the longest SMTP submission the settings allow to relay '"
                        + relay.getKey() + "' (" + needed + " s = 2 x " + timeouts[0] + " + (" + FIXED_REPLIES
                        + " + GATEWAY_MAX_RECIPIENTS) x " + timeouts[1] + " + " + timeouts[2] + "): a mail the"
                        + " relay accepts after the gateway stopped waiting would be sent again. Set"
                        + " GATEWAY_SHUTDOWN_TIMEOUT_SECONDS to at least " + needed + " (and the pod's"
                        + " terminationGracePeriodSeconds above it), or lower those timeouts or"
                        + " GATEWAY_MAX_RECIPIENTS");
            }
        }
    }
}
