package io.mailgateway.kafka;

import org.slf4j.Logger;

/** Counts the records the gateway skipped as unusable, by topic (the gateway's metrics implement it). */
@FunctionalInterface
public interface PoisonRecords {

    /** Counts nothing: for tools and tests that have no metrics. */
    PoisonRecords NOT_COUNTED = topic -> { };

    void skipped(String topic);

    /**
     * Logs the skipped record by topic, partition and offset only (its key and value may be an address or a message
     * body, which never belong in a log), and counts it.
     */
    default void skip(Logger log, String topic, int partition, long offset, String whatIsWrong) {
        log.warn("Skipped the unusable record at {}-{} offset {}: {}", topic, partition, offset, whatIsWrong);
        try {
            skipped(topic);
        } catch (RuntimeException e) {
            // Counting is for operators; it must never stop the reading it reports on.
            log.warn("Could not count the skipped record of {}: {}", topic, e.toString());
        }
    }
}
