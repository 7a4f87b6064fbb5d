package io.mailgateway.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import io.mailgateway.attempt.Attempt;
import io.mailgateway.attempt.RequestLogContext;
import io.mailgateway.request.MailAddress;
import io.mailgateway.request.MailRequest;

class RequestLogContextTest {

    private final RequestLogContext context = new RequestLogContext();

    @AfterEach
    void clear() {
        MDC.clear();
    }

    @Test
    void aRecordWithoutReadableRequestIsNamedByItsFallbackId() {
        context.enter(Attempt.ofRecord(null, "mail.outbound", 2, 17, "not json".getBytes(StandardCharsets.UTF_8), "now"));

        assertThat(MDC.get("mail.request_id")).isEqualTo("mail.outbound-2-17");
        assertThat(MDC.get("mail.tenant")).isNull();
    }

    @Test
    void leavingForgetsTheRequestAndKeepsOtherContext() {
        MDC.put("other", "kept");
        context.enter(Attempt.ofRecord("first", "mail.outbound", 0, 1, new byte[0], "now"));

        context.leave();

        assertThat(MDC.getCopyOfContextMap()).isEqualTo(Map.of("other", "kept"));
    }

    @Test
    void theNextRequestOnAThreadNeverCarriesTheTenantOfTheOneBefore() {
        Attempt withTenant = Attempt.ofRecord("a", "mail.outbound", 0, 1, new byte[0], "now");
        withTenant.setRequest(request("a", Map.of("tenant", "acme")));
        Attempt withoutTenant = Attempt.ofRecord("b", "mail.outbound", 0, 2, new byte[0], "now");
        withoutTenant.setRequest(request("b", Map.of()));

        context.enter(withTenant);
        assertThat(MDC.get("mail.request_id")).isEqualTo("a");
        assertThat(MDC.get("mail.tenant")).isEqualTo("acme");

        context.enter(withoutTenant);
        assertThat(MDC.get("mail.request_id")).isEqualTo("b");
        assertThat(MDC.get("mail.tenant")).isNull();
    }

    private static MailRequest request(String id, Map<String, String> tags) {
        return new MailRequest(id, null, null, null, null, List.of(new MailAddress("alice@example.org", null)),
                null, null, "Hello", "Hi", null, null, null, null, tags);
    }
}
