package io.mailgateway.request;

import static io.mailgateway.request.RequestRejectedException.INVALID_REQUEST;
import static io.mailgateway.request.RequestRejectedException.TOO_LARGE;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.ParameterList;
import jakarta.mail.internet.ParseException;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.IDN;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import io.mailgateway.request.ShapeCheckingParser.ShapeLimitException;

/** Parses a mail request v1 record value and validates it against the published schema and the gateway's own rules. */
public final class RequestParser {

    static final String SCHEMA_BASE = "https://mailgateway.io/schemas/";
    static final String SCHEMA_ID = SCHEMA_BASE + "mail-request-v1.schema.json";

    // the schema has the same pattern, but networknt matches with find() and a JDK '$' also matches before a final line break
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final Pattern PRINTABLE_ASCII = Pattern.compile("[\\x20-\\x7e]+");
    private static final Pattern HOSTNAME = Pattern.compile(
            "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
    private static final int MAX_LOCAL_PART = 64;
    private static final int MAX_DOMAIN = 253;
    private static final int MAX_ADDRESS = 254;
    // RFC 5322 atext, the characters of an unquoted local part besides '.'
    private static final String ATEXT_SPECIALS = "!#$%&'*+-/=?^_`{|}~";
    private static final int MAX_JSON_ERROR = 160;
    // Tags are echoed in every result: with at most 32 (the schema), they add at most 10 KiB to a result.
    static final int MAX_TAG_NAME_BYTES = 64;
    static final int MAX_TAG_VALUE_BYTES = 256;
    // Jackson names the method its limit came from: ", from `StreamReadConstraints.getMaxNestingDepth()`)"
    private static final Pattern CONSTRAINT_SOURCE = Pattern.compile(", from `[^`]*`\\)");
    private static final TypeReference<Map<String, Object>> PLAIN_MAP = new TypeReference<>() {
    };

    private final RequestLimits limits;
    private final AllowedHeaders allowedHeaders;
    private final ObjectMapper mapper;
    private final JsonSchema schema;

    /** A parser that allows every X- header, the gateway's default. */
    public RequestParser(RequestLimits limits) {
        this(limits, AllowedHeaders.anyXHeader());
    }

    public RequestParser(RequestLimits limits, AllowedHeaders allowedHeaders) {
        this.limits = limits;
        this.allowedHeaders = allowedHeaders;
        JsonLimits json = limits.json();
        JsonFactory jsonFactory = JsonFactory.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(json.maxDepth())
                        .maxStringLength(json.maxStringLength())
                        .maxNumberLength(json.maxNumberLength())
                        // a member name is a string too; none of the contract's names comes near this
                        .maxNameLength(Math.min(json.maxStringLength(), StreamReadConstraints.DEFAULT_MAX_NAME_LEN))
                        .build())
                .build();
        this.mapper = JsonMapper.builder(jsonFactory)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
        // the $id is mapped to the classpath so that loading never goes to the network
        JsonSchemaFactory schemaFactory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
                builder -> builder.schemaMappers(mappers -> mappers.mapPrefix(SCHEMA_BASE, "classpath:schemas/")));
        this.schema = schemaFactory.getSchema(SchemaLocation.of(SCHEMA_ID));
        // compiled now rather than lazily on the first record, when several threads may race for it
        this.schema.initializeValidators();
    }

    /**
     * Returns the validated request, or throws {@link RequestRejectedException} ({@link NotJsonException} when the
     * value is not a JSON object at all); nothing else is thrown, whatever the bytes.
     */
    public MailRequest parse(byte[] recordValue) {
        if (recordValue == null) {
            throw new NotJsonException("body: not a JSON object (the record has no value)");
        }
        if (recordValue.length > limits.maxRequestBytes()) {
            throw new RequestRejectedException(TOO_LARGE,
                    "body: " + recordValue.length + " bytes exceeds the limit of " + limits.maxRequestBytes(), null, Map.of());
        }
        ObjectNode body = readObject(recordValue);
        String id = validId(body.get("id"));
        Set<ValidationMessage> violations = schema.validate(body);
        Tags tags = validTags(body.get("tags"), violations);
        if (!violations.isEmpty()) {
            throw new RequestRejectedException(INVALID_REQUEST, SchemaViolations.describe(violations), id, tags.echoed());
        }
        if (tags.problem() != null) {
            throw new RequestRejectedException(INVALID_REQUEST, tags.problem(), id, Map.of());
        }
        return new BodyReader(body, id, tags.echoed()).read();
    }

    private ObjectNode readObject(byte[] recordValue) {
        JsonNode tree;
        // Decoded while parsing, a few kilobytes at a time, rather than into a string of the whole body first: a
        // strict decoder, because Jackson lets some malformed UTF-8 through (overlong forms, encoded surrogates).
        Reader text = new InputStreamReader(new ByteArrayInputStream(recordValue), StandardCharsets.UTF_8.newDecoder());
        JsonParser parser = null;
        try {
            parser = mapper.createParser(text);
            tree = mapper.readTree(new ShapeCheckingParser(parser, limits.json()));
        } catch (ShapeLimitException e) {
            throw NotJsonException.overLimit(e.getMessage());
        } catch (StreamConstraintsException e) {
            throw NotJsonException.overLimit(constraintDetail(e, parser));
        } catch (CharacterCodingException e) {
            throw new NotJsonException("body: not a JSON object (not valid UTF-8)", e);
        } catch (JsonProcessingException e) {
            throw new NotJsonException("body: not a JSON object (" + describe(e) + ")", e);
        } catch (IOException e) {
            // reading from memory, so only the decoder or the parser can end up here
            throw new NotJsonException("body: not a JSON object (unreadable)", e);
        } finally {
            if (parser != null) {
                try {
                    parser.close();
                } catch (IOException e) {
                    // nothing to release but buffers
                }
            }
        }
        if (tree == null || tree.isMissingNode()) {
            throw new NotJsonException("body: not a JSON object (empty)");
        }
        if (!tree.isObject()) {
            throw new NotJsonException("body: not a JSON object (" + tree.getNodeType().name().toLowerCase(Locale.ROOT) + ")");
        }
        return (ObjectNode) tree;
    }

    /**
     * Jackson's words for a body over a shape limit (they start "Document nesting depth", "Number value length",
     * "String value length"), with the field path in front and the gateway's setting instead of Jackson's.
     */
    private String constraintDetail(StreamConstraintsException e, JsonParser parser) {
        String problem = e.getOriginalMessage() == null ? "over a limit" : e.getOriginalMessage();
        String setting = problem.contains("nesting depth") ? "GATEWAY_MAX_JSON_DEPTH"
                : problem.contains("Number value") ? "GATEWAY_MAX_JSON_NUMBER_LENGTH"
                : problem.contains("String value") ? "GATEWAY_MAX_JSON_STRING_LENGTH"
                : "the gateway's limit";
        problem = CONSTRAINT_SOURCE.matcher(problem).replaceAll(", " + setting + ")");
        String path = parser == null ? FieldPaths.BODY : ShapeCheckingParser.path(parser.getParsingContext());
        if (problem.length() > MAX_JSON_ERROR) {
            problem = problem.substring(0, MAX_JSON_ERROR) + "...";
        }
        return path + ": " + problem;
    }

    private static String describe(JsonProcessingException e) {
        String problem = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        if (problem.length() > MAX_JSON_ERROR) {
            problem = problem.substring(0, MAX_JSON_ERROR) + "...";
        }
        JsonLocation location = e.getLocation();
        String where = location == null ? "" : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
        // Jackson quotes offending input in its messages; keep the detail to one safe line
        return "invalid JSON" + where + ": " + problem.codePoints()
                .map(c -> breaksHeaderLine(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append);
    }

    private static String validId(JsonNode id) {
        return id != null && id.isTextual() && ID.matcher(id.textValue()).matches() ? id.textValue() : null;
    }

    /**
     * The tags to echo in results, and what is wrong with them beyond the schema. Tags are echoed in every result, so
     * each has a byte budget and no control characters; tags that break a rule are never echoed.
     */
    private static Tags validTags(JsonNode tags, Set<ValidationMessage> violations) {
        if (tags == null || !tags.isObject()) {
            return new Tags(Map.of(), null);
        }
        for (ValidationMessage violation : violations) {
            if (violation.getInstanceLocation().getNameCount() > 0
                    && "tags".equals(violation.getInstanceLocation().getName(0))) {
                return new Tags(Map.of(), null);
            }
        }
        Map<String, String> valid = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> tag : tags.properties()) {
            if (!tag.getValue().isTextual()) {
                return new Tags(Map.of(), null);
            }
            String path = FieldPaths.property("tags", tag.getKey());
            String value = tag.getValue().textValue();
            if (tag.getKey().codePoints().anyMatch(RequestParser::breaksHeaderLine)) {
                return new Tags(Map.of(), path + ": the name contains a control character");
            }
            if (value.codePoints().anyMatch(RequestParser::breaksHeaderLine)) {
                return new Tags(Map.of(), path + ": contains a control character");
            }
            int keyBytes = tag.getKey().getBytes(StandardCharsets.UTF_8).length;
            if (keyBytes > MAX_TAG_NAME_BYTES) {
                return new Tags(Map.of(), path + ": the name is " + keyBytes + " bytes of UTF-8, more than the limit of "
                        + MAX_TAG_NAME_BYTES);
            }
            int valueBytes = value.getBytes(StandardCharsets.UTF_8).length;
            if (valueBytes > MAX_TAG_VALUE_BYTES) {
                return new Tags(Map.of(), path + ": " + valueBytes + " bytes of UTF-8, more than the limit of "
                        + MAX_TAG_VALUE_BYTES);
            }
            valid.put(tag.getKey(), value);
        }
        return new Tags(Collections.unmodifiableMap(valid), null);
    }

    /** Tags fit to echo (empty when they are not), or the detail of why they are not. */
    private record Tags(Map<String, String> echoed, String problem) {
    }

    /**
     * Whether a code point could end or split a header line, or hide what a header says: control characters
     * (C0, DEL, C1 including NEL), format characters such as bidi overrides and zero-width joiners,
     * line and paragraph separators, and lone surrogates.
     */
    static boolean breaksHeaderLine(int codePoint) {
        switch (Character.getType(codePoint)) {
            case Character.CONTROL:
            case Character.FORMAT:
            case Character.LINE_SEPARATOR:
            case Character.PARAGRAPH_SEPARATOR:
            case Character.SURROGATE:
                return true;
            default:
                return false;
        }
    }

    /**
     * The address as it goes into the envelope and the headers, or null when the text is not a bare addr-spec
     * (local@hostname, no display name, comment, group or route). A Unicode domain is converted to A-labels, so
     * nothing but ASCII ever reaches the relay for it; a UTF-8 local part (RFC 6531) is kept only when allowed
     * and needs a relay that offers SMTPUTF8.
     */
    static String wireAddress(String text, boolean utf8LocalPart) {
        int at = text.lastIndexOf('@');
        // ASCII blanks are legal inside a quoted local part and checked by the ASCII rules below
        if (at <= 0 || text.codePoints().anyMatch(c -> breaksHeaderLine(c)
                || (c > 0x7f && (Character.isWhitespace(c) || Character.isSpaceChar(c))))) {
            return null;
        }
        String local = text.substring(0, at);
        String domain = asciiDomain(text.substring(at + 1));
        if (domain == null) {
            return null;
        }
        String address = local + "@" + domain;
        if (address.getBytes(StandardCharsets.UTF_8).length > MAX_ADDRESS) {
            return null;
        }
        if (PRINTABLE_ASCII.matcher(local).matches()) {
            return local.length() <= MAX_LOCAL_PART && isStrictAsciiAddress(address) ? address : null;
        }
        return utf8LocalPart && isUtf8DotAtom(local) ? address : null;
    }

    /** The domain in A-labels, or null when it is not a host name. */
    private static String asciiDomain(String domain) {
        String ascii;
        if (PRINTABLE_ASCII.matcher(domain).matches()) {
            ascii = domain;
        } else {
            try {
                // IDNA 2003 as the JDK has it; STD3 rules keep the result to letters, digits and hyphens
                ascii = IDN.toASCII(domain, IDN.USE_STD3_ASCII_RULES);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return ascii.length() <= MAX_DOMAIN && HOSTNAME.matcher(ascii).matches() ? ascii : null;
    }

    private static boolean isStrictAsciiAddress(String address) {
        InternetAddress parsed;
        try {
            parsed = new InternetAddress(address, true);
        } catch (AddressException | RuntimeException e) {
            return false;
        }
        // InternetAddress happily takes "Name <a@b>", "<a@b>", "a@b (comment)", surrounding blanks and groups;
        // all but groups come back with an address that differs from the input
        return !parsed.isGroup() && address.equals(parsed.getAddress());
    }

    /**
     * An unquoted local part of atext and non-ASCII characters (RFC 6531), at most 64 octets of UTF-8. A local part
     * cannot be encoded, so characters whose code point ends in 0x0A or 0x0D (such as U+010A, U+010D, U+560A) are
     * refused: a mail library that writes one byte per character would turn them into a line break.
     */
    private static boolean isUtf8DotAtom(String local) {
        if (local.getBytes(StandardCharsets.UTF_8).length > MAX_LOCAL_PART
                || local.startsWith(".") || local.endsWith(".") || local.contains("..")) {
            return false;
        }
        // per UTF-16 unit, as such a library cuts them: U+12800 is D80A DC00, its high surrogate ends in 0x0A
        return local.chars().allMatch(c -> c < 0x80 || ((c & 0xff) != '\r' && (c & 0xff) != '\n'))
                && local.codePoints().allMatch(c -> c == '.' || c > 0x7f
                        || (c < 0x7f && (Character.isLetterOrDigit(c) || ATEXT_SPECIALS.indexOf(c) >= 0)));
    }

    /** Checks and converts one schema-valid body; one instance per parse, so it may keep state. */
    private final class BodyReader {

        private final ObjectNode body;
        private final String requestId;
        private final Map<String, String> tags;

        BodyReader(ObjectNode body, String requestId, Map<String, String> tags) {
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
            if (value.codePoints().anyMatch(RequestParser::breaksHeaderLine)) {
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
            String address = wireAddress(text, recipient);
            if (address == null) {
                boolean utf8Sender = !recipient && wireAddress(text, true) != null;
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
}
