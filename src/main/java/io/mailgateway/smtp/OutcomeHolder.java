package io.mailgateway.smtp;

/** A message that wants to know how its submission went (camel-mail's sender interface returns nothing). */
public interface OutcomeHolder {

    void submitted(SubmissionOutcome outcome);
}
