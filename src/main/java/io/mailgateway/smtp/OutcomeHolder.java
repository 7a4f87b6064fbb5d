package io.mailgateway.smtp;

import java.util.List;

import jakarta.mail.internet.InternetAddress;

/** A message that wants to know how its submission went (camel-mail's sender interface returns nothing). */
public interface OutcomeHolder {

    /**
     * The envelope recipients for this attempt, or null for every recipient of the message. A retry names only
     * the recipients still pending, so recipients the relay accepted before never get the mail twice.
     */
    List<InternetAddress> envelope();

    /** Called before every submission attempt, so retries are counted where they happen. */
    void attempting();

    void submitted(SubmissionOutcome outcome);
}
