package io.mailgateway.kafka;

/**
 * Handling a record failed: names the record by its location and the failure by its type only (the message of an
 * arbitrary exception may quote the record's value), keeping the stack trace to show where it failed.
 */
final class RecordFailedException extends RuntimeException {

    RecordFailedException(String topic, int partition, long offset, RuntimeException cause) {
        super("handling the record at " + topic + "-" + partition + " offset " + offset + " failed: "
                + cause.getClass().getName(), null, false, true);
        setStackTrace(cause.getStackTrace());
    }
}
