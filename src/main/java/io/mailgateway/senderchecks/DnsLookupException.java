package io.mailgateway.senderchecks;

/** A DNS question got no usable answer (timeout, server failure): the check cannot say what is published. */
public class DnsLookupException extends RuntimeException {

    public DnsLookupException(String message) {
        super(message);
    }
}
