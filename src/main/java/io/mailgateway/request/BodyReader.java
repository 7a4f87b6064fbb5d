package io.mailgateway.request;

import static io.mailgateway.request.RequestRejectedException.INVALID_REQUEST;
import static io.mailgateway.request.RequestRejectedException.TOO_LARGE;

import java.util.ArrayList;
import java.util.Base64;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.ParameterList;
import jakarta.mail.internet.ParseException;

/** Checks and converts one schema-valid body; one instance per parse, so it may keep state. */
final class BodyReader {

    private static final TypeReference<Map<String, Object>> PLAIN_MAP = new TypeReference<>() {
    };

    private final RequestLimits limits;
    private final AllowedHeaders allowedHeaders;
    private final ObjectMapper mapper;
    private final ObjectNode body;
    private final String requestId;
    private final Map<String, String> tags;

    BodyReader(RequestLimits limits, AllowedHeaders allowedHeaders, ObjectMapper mapper, ObjectNode body,
            String requestId, Map<String, String> tags) {
        this.limits = limits;
        this.allowedHeaders = allowedHeaders;
        this.mapper = mapper;
        this.body = body;
        this.requestId = requestId;
        this.tags = tags;
    }

    MailRequest read() {
        String id = singleLine("id", body.get("id").textValue());
        String template = optionalSingleLine("template");
        String locale = optionalSingleLine("locale");
        MailAddress from = optionalAddress("from");
        MailAddress replyTo = optionalAddress("replyTo");
        checkRecipientCount();
        List<MailAddress> to = addresses("to");
        List<MailAddress> cc = addresses("cc");
        List<MailAddress> bcc = addresses("bcc");
        String subject = subject();
        Map<String, String> headers = headers();
        List<Attachment> attachments = attachments();
        // text and html are bodies, not header fields: line breaks are their business
        return new MailRequest(id, template, locale, from, replyTo, to, cc, bcc, subject,
                optionalText("text"), optionalText("html"), data(), attachments, headers, tags);
    }

    private String singleLine(String path, String value) {
        if (value.codePoints().anyMatch(HeaderText::breaksLine)) {
            throw invalid(path + ": contains a control character");
        }
        return value;
    }

    private String optionalText(String field) {
        JsonNode node = body.get(field);
        return node == null ? null : node.textValue();
    }

    private String optionalSingleLine(String field) {
        String value = optionalText(field);
        return value == null ? null : singleLine(field, value);
    }

    private MailAddress optionalAddress(String field) {
        JsonNode node = body.get(field);
        return node == null ? null : address(field, node, false);
    }

    private List<MailAddress> addresses(String field) {
        JsonNode list = body.get(field);
        List<MailAddress> addresses = new ArrayList<>();
        if (list != null) {
            for (int i = 0; i < list.size(); i++) {
                addresses.add(address(FieldPaths.index(field, i), list.get(i), true));
            }
        }
        return addresses;
    }

    private MailAddress address(String path, JsonNode node, boolean recipient) {
        if (node.isTextual()) {
            return new MailAddress(addrSpec(path, node.textValue(), recipient), null);
        }
        String address = addrSpec(path + ".address", node.get("address").textValue(), recipient);
        JsonNode name = node.get("name");
        return new MailAddress(address, name == null ? null : singleLine(path + ".name", name.textValue()));
    }

    // Recipients may have UTF-8 local parts (sent only to a relay that offers SMTPUTF8); senders may not,
    // since every mail of such a sender would fail at a relay without it.
    private String addrSpec(String path, String text, boolean recipient) {
        singleLine(path, text);
        String address = AddressSyntax.wireAddress(text, recipient);
        if (address == null) {
            boolean utf8Sender = !recipient && AddressSyntax.wireAddress(text, true) != null;
            throw invalid(path + (utf8Sender
                    ? ": a sender address needs an ASCII local part" : ": not an address"));
        }
        return address;
    }

    private void checkRecipientCount() {
        int recipients = size("to") + size("cc") + size("bcc");
        if (recipients > limits.maxRecipients()) {
            throw invalid("to: " + recipients + " recipients exceed the limit of " + limits.maxRecipients());
        }
    }

    private int size(String field) {
        JsonNode list = body.get(field);
        return list == null ? 0 : list.size();
    }

    private String subject() {
        String subject = optionalSingleLine("subject");
        if (subject != null) {
            int length = subject.codePointCount(0, subject.length());
            if (length > limits.maxSubjectLength()) {
                throw invalid("subject: " + length + " characters exceed the limit of " + limits.maxSubjectLength());
            }
        }
        return subject;
    }

    private Map<String, String> headers() {
        JsonNode headers = body.get("headers");
        Map<String, String> checked = new LinkedHashMap<>();
        if (headers != null) {
            for (Map.Entry<String, JsonNode> header : headers.properties()) {
                String path = FieldPaths.property("headers", header.getKey());
                singleLine(path, header.getKey());
                if (!allowedHeaders.allows(header.getKey())) {
                    throw invalid(path + ": not an allowed header");
                }
                checked.put(header.getKey(), singleLine(path, header.getValue().textValue()));
            }
        }
        return checked;
    }

    private List<Attachment> attachments() {
        JsonNode list = body.get("attachments");
        List<Attachment> attachments = new ArrayList<>();
        if (list == null) {
            return attachments;
        }
        if (list.size() > limits.maxAttachments()) {
            throw invalid("attachments: " + list.size() + " attachments exceed the limit of " + limits.maxAttachments());
        }
        for (int i = 0; i < list.size(); i++) {
            String path = FieldPaths.index("attachments", i);
            JsonNode attachment = list.get(i);
            attachments.add(new Attachment(
                    singleLine(path + ".filename", attachment.get("filename").textValue()),
                    contentType(path + ".contentType", attachment.get("contentType").textValue()),
                    content(path + ".contentBase64", attachment.get("contentBase64").textValue())));
        }
        return attachments;
    }

    private String contentType(String path, String text) {
        singleLine(path, text);
        ContentType parsed;
        try {
            parsed = new ContentType(text);
        } catch (ParseException | RuntimeException e) {
            throw invalid(path + ": not a MIME type (type/subtype)");
        }
        // an attachment is one leaf part; a container type would let the producer shape the MIME tree
        if (parsed.match("multipart/*") || parsed.match("message/*")) {
            throw invalid(path + ": multipart and message types are not allowed");
        }
        // RFC 2231 parameters are percent-decoded by the parser, so name*=utf-8''%0D%0A smuggles a line break
        ParameterList parameters = parsed.getParameterList();
        if (parameters != null) {
            for (Enumeration<String> names = parameters.getNames(); names.hasMoreElements(); ) {
                String value = parameters.get(names.nextElement());
                if (value != null) {
                    singleLine(path, value);
                }
            }
        }
        return text;
    }

    private byte[] content(String path, String base64) {
        byte[] content;
        try {
            // the basic decoder: no line breaks or other whitespace, nothing outside the alphabet
            content = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw invalid(path + ": not valid base64");
        }
        if (content.length > limits.maxAttachmentBytes()) {
            throw new RequestRejectedException(TOO_LARGE,
                    path + ": " + content.length + " bytes decoded exceeds the limit of " + limits.maxAttachmentBytes(),
                    requestId, tags);
        }
        return content;
    }

    private Map<String, Object> data() {
        JsonNode data = body.get("data");
        return data == null ? Map.of() : mapper.convertValue(data, PLAIN_MAP);
    }

    private RequestRejectedException invalid(String detail) {
        return new RequestRejectedException(INVALID_REQUEST, detail, requestId, tags);
    }
}
