package io.mailgateway.kafka;

/**
 * A record the gateway reads itself cannot be used (not JSON, wrong types, a value out of range, too large): it is
 * skipped and counted, and reading goes on with the next record. The message names what is wrong (a field, a limit),
 * never the value, since values may hold addresses or message content.
 */
public class PoisonRecordException extends RuntimeException {

    public PoisonRecordException(String whatIsWrong) {
        super(whatIsWrong, null, false, false);
    }
}
