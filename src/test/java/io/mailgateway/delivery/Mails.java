package io.mailgateway.delivery;

import java.io.ByteArrayInputStream;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;

import io.mailgateway.local.LocalSmtpServer.ReceivedMail;
import io.mailgateway.support.ScriptedSmtpServer;
import io.mailgateway.support.ScriptedSmtpServer.ReceivedMessage;

/** What relays received: messages by Message-ID and copies per envelope recipient. */
final class Mails {

    private Mails() {
    }

    /** The Message-ID header of a message as the relay received it. */
    static String messageId(byte[] raw) {
        try {
            return new MimeMessage((Session) null, new ByteArrayInputStream(raw)).getMessageID();
        } catch (MessagingException e) {
            throw new IllegalStateException("the relay received something that is not a message", e);
        }
    }

    /** The messages with this Message-ID that these servers accepted (positive reply to the final "."), in order. */
    static List<ReceivedMessage> accepted(String messageId, Collection<ScriptedSmtpServer> servers) {
        return servers.stream().flatMap(server -> server.messages().stream())
                .filter(message -> messageId.equals(messageId(message.raw())))
                .toList();
    }

    /** How many copies each envelope recipient got of the message with this Message-ID. */
    static Map<String, Integer> copiesPerRecipient(String messageId, Collection<ScriptedSmtpServer> servers) {
        Map<String, Integer> copies = new TreeMap<>();
        accepted(messageId, servers).forEach(message ->
                message.envelopeRecipients().forEach(recipient -> copies.merge(recipient, 1, Integer::sum)));
        return copies;
    }

    /** How many copies each envelope recipient got, over every message the relay received. */
    static Map<String, Integer> copiesPerRecipient(List<ReceivedMail> received) {
        Map<String, Integer> copies = new TreeMap<>();
        received.forEach(mail -> mail.envelopeRecipients().forEach(recipient -> copies.merge(recipient, 1, Integer::sum)));
        return copies;
    }
}
