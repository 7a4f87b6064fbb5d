package io.mailgateway.request;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.assertj.core.api.InstanceOfAssertFactories;
import org.assertj.core.api.ObjectAssert;

/** Request bodies and assertions shared by the parser tests. */
final class Requests {

    static final ObjectMapper JSON = new ObjectMapper();

    private Requests() {
    }

    /** A small valid templated request that tests change one field at a time. */
    static ObjectNode templated() {
        return json("{'id': 'ord-1042-confirmation', 'template': 'order-confirmation', 'to': ['alice@example.org'],"
                + " 'tags': {'tenant': 'acme'}}");
    }

    /** A small valid inline request. */
    static ObjectNode inline() {
        return json("{'id': 'welcome-7', 'subject': 'Welcome', 'text': 'Hello', 'to': ['alice@example.org']}");
    }

    static ObjectNode attachment(String filename, String contentType, byte[] content) {
        ObjectNode attachment = JSON.createObjectNode();
        attachment.put("filename", filename);
        attachment.put("contentType", contentType);
        attachment.put("contentBase64", Base64.getEncoder().encodeToString(content));
        return attachment;
    }

    /** JSON written with single quotes, to keep test bodies readable. */
    static ObjectNode json(String singleQuoted) {
        try {
            return (ObjectNode) JSON.readTree(singleQuoted.replace('\'', '"'));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static byte[] bytes(Object body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Asserts a rejection of a body given as JSON tree, as raw bytes, or as null for a record without value. */
    static ObjectAssert<RequestRejectedException> assertRejected(RequestParser parser, Object body) {
        byte[] value = body == null ? null : body instanceof byte[] raw ? raw : bytes(body);
        return assertThatThrownBy(() -> parser.parse(value))
                .asInstanceOf(InstanceOfAssertFactories.type(RequestRejectedException.class));
    }

    static String detailOf(RequestParser parser, Object body) {
        byte[] value = body instanceof byte[] raw ? raw : bytes(body);
        try {
            parser.parse(value);
        } catch (RequestRejectedException e) {
            return e.detail();
        }
        throw new AssertionError("expected a rejection of " + new String(value, StandardCharsets.UTF_8));
    }
}
