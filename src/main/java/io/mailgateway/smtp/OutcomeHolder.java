package io.mailgateway.smtp;

/** A message that wants to know how its submission went (camel-mail's sender interface returns nothing). */
public interface OutcomeHolder {

    /** Called before every submission attempt, so retries are counted where they happen. */
    void attempting();

    void submitted(SubmissionOutcome outcome);
}
