package io.mailgateway.smtp;

import java.util.ArrayList;
import java.util.List;

import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

/** The recipients one submission goes to, which a retry limits to those still pending. */
public final class Envelope {

    private Envelope() {
    }

    /**
     * @param pending the addresses still to be sent to (a retry), or null for every recipient the message names;
     *                recipients the relay accepted before never get the mail twice
     * @throws SmtpPermanentException when there is no recipient to send to
     */
    public static List<InternetAddress> of(MimeMessage message, List<String> pending) throws MessagingException {
        List<InternetAddress> envelope = new ArrayList<>();
        if (pending != null) {
            pending.forEach(address -> envelope.add(address(address)));
        } else if (message.getAllRecipients() != null) {
            for (Address address : message.getAllRecipients()) {
                envelope.add((InternetAddress) address);
            }
        }
        if (envelope.isEmpty()) {
            throw new SmtpPermanentException("invalid-request", "message has no recipients", null, List.of(), null);
        }
        return envelope;
    }

    private static InternetAddress address(String address) {
        try {
            return new InternetAddress(address, true);
        } catch (AddressException e) {
            throw new IllegalArgumentException("not an address: " + address, e);
        }
    }
}
