package io.mailgateway.request;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** A validated mail request v1, as plain Java values. */
public record MailRequest(String id, String template, String locale, MailAddress from, MailAddress replyTo,
        List<MailAddress> to, List<MailAddress> cc, List<MailAddress> bcc, String subject, String text, String html,
        Map<String, Object> data, List<Attachment> attachments, Map<String, String> headers, Map<String, String> tags) {

    public MailRequest {
        Objects.requireNonNull(id, "id");
        to = listOrEmpty(to);
        cc = listOrEmpty(cc);
        bcc = listOrEmpty(bcc);
        attachments = listOrEmpty(attachments);
        data = mapOrEmpty(data);
        headers = mapOrEmpty(headers);
        tags = mapOrEmpty(tags);
    }

    private static <T> List<T> listOrEmpty(List<T> list) {
        return list == null ? List.of() : List.copyOf(list);
    }

    // not Map.copyOf: template data may hold JSON nulls, and header and tag order should survive
    private static <V> Map<String, V> mapOrEmpty(Map<String, V> map) {
        return map == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }
}
