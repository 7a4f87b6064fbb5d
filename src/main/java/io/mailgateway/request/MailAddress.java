package io.mailgateway.request;

import java.util.Objects;

/** A validated mail address (a bare local@domain) with an optional display name. */
public record MailAddress(String address, String name) {

    public MailAddress {
        Objects.requireNonNull(address, "address");
    }
}
