package io.mailgateway.smtp;

/** Checks whether a relay accepts the gateway (TLS and AUTH) without sending anything. */
public interface RelayProbe {

    /** Throws what a submission would throw at the connect stage; returns when the relay accepts the gateway. */
    void probe() throws SmtpSubmissionException;
}
