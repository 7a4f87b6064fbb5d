package io.mailgateway.mime;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;

/** A composed mail whose Message-ID derives from its request, so every attempt sends the same one. */
public class OutboundMessage extends MimeMessage {

    private final String requestId;
    private final String fixedMessageId;

    OutboundMessage(Session session, String requestId, String messageId) {
        super(session);
        this.requestId = requestId;
        this.fixedMessageId = messageId;
    }

    /**
     * A copy parsed from the bytes {@code source} writes: it writes those same bytes again, however often, which is
     * what a signature over them needs.
     */
    protected OutboundMessage(OutboundMessage source) throws MessagingException {
        super(source);
        this.requestId = source.requestId;
        this.fixedMessageId = source.fixedMessageId;
    }

    // MimeMessage would generate a random Message-ID on every saveChanges(); ours derives from the request id.
    @Override
    protected void updateMessageID() throws MessagingException {
        setHeader("Message-ID", fixedMessageId);
    }

    public String requestId() {
        return requestId;
    }

    public String messageId() {
        return fixedMessageId;
    }
}
