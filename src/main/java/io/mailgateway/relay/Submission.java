package io.mailgateway.relay;

import java.util.List;

/** What a message is submitted for: whose relays and limits apply, to whom it still goes, which request it is. */
public interface Submission {

    /** The request's tenant ({@code tags.tenant}), or null; its relays, when it names any, take the mail. */
    String tenant();

    /** The recipients still to be sent to (a retry), or null for every recipient the message names. */
    List<String> pending();

    /** The request's id, which the return paths and DSN's envelope id name with VERP; null: no VERP. */
    String requestId();
}
