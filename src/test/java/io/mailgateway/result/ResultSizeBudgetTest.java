package io.mailgateway.result;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import org.junit.jupiter.api.Test;

import io.mailgateway.request.RequestLimits;
import io.mailgateway.result.DeliveryResult.Reason;
import io.mailgateway.result.DeliveryResult.Recipient;
import io.mailgateway.result.DeliveryResult.Smtp;
import io.mailgateway.result.DeliveryResult.Status;

/** Every value echoed into a result has a byte budget, so a result always fits the results topic's 1 MiB records. */
class ResultSizeBudgetTest {

    private static final String SCHEMA_BASE = "https://mailgateway.io/schemas/";
    private static final JsonSchema SCHEMA = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
                    builder -> builder.schemaMappers(mappers -> mappers.mapPrefix(SCHEMA_BASE, "classpath:schemas/")))
            .getSchema(SchemaLocation.of(SCHEMA_BASE + "delivery-result-v1.schema.json"));
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ResultWriter writer = new ResultWriter();

    @Test
    void aLongReasonDetailIsCutToTheTextBudget() {
        Reason reason = new Reason("message-rejected", "x".repeat(100_000));

        assertThat(utf8(reason.detail())).isEqualTo(DeliveryResult.MAX_TEXT_BYTES);
        assertThat(reason.detail()).endsWith("...").startsWith("xxx");
    }

    @Test
    void aLongRelayReplyIsCutWithoutSplittingACharacter() {
        // four bytes per character: the cut lands inside one unless it is made per code point
        Smtp smtp = new Smtp(550, "5.7.1", "5.7.1 " + "😀".repeat(1000));
        Recipient recipient = new Recipient("a@example.org", Status.FAILED, 550, "5.7.1", "é".repeat(5000));

        assertThat(utf8(smtp.response())).isLessThanOrEqualTo(DeliveryResult.MAX_TEXT_BYTES);
        assertThat(smtp.response()).endsWith("😀...");
        assertThat(utf8(recipient.response())).isLessThanOrEqualTo(DeliveryResult.MAX_TEXT_BYTES).isGreaterThan(1000);
        assertThat(recipient.response()).doesNotContain("\uFFFD").endsWith("é...");
    }

    @Test
    void shortTextsStayAsTheyAre() {
        String exact = "y".repeat(DeliveryResult.MAX_TEXT_BYTES);

        assertThat(new Reason("expired", exact).detail()).isEqualTo(exact);
        assertThat(new Smtp(250, "2.0.0", "2.0.0 Ok").response()).isEqualTo("2.0.0 Ok");
        assertThat(new Reason("expired", null).detail()).isNull();
    }

    @Test
    void theLargestResultTheDefaultLimitsAllowIsFarBelowTheResultTopicsLimit() throws Exception {
        int recipients = RequestLimits.defaults().maxRecipients();
        // JSON writes a control character as six bytes (\u0001), the worst expansion a relay's text can get
        String hostileReply = "\u0001".repeat(5000);
        List<Recipient> all = new ArrayList<>();
        for (int i = 0; i < recipients; i++) {
            all.add(new Recipient(longestAddress(i), Status.FAILED, 550, "5.1.1", hostileReply));
        }
        DeliveryResult result = new DeliveryResult("i".repeat(128), Status.FAILED, true, "<" + "m".repeat(60) + "@acme.example>",
                99, new Smtp(550, "5.1.1", hostileReply), all, new Reason("recipient-rejected", hostileReply),
                maximalTags(), null, "2026-11-28T10:00:00.120Z", "2026-11-28T10:00:00.180Z");

        String json = writer.toJson(result);

        assertThat(utf8(json)).isLessThan(ResultWriter.MAX_RESULT_BYTES / 2);
        assertThat(SCHEMA.validate(JSON.readTree(json))).isEmpty();
    }

    @Test
    void aResultForThousandsOfRecipientsLeavesOutTheirRepliesToFitTheTopic() throws Exception {
        List<Recipient> all = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            all.add(new Recipient(longestAddress(i), Status.SENT, 250, "2.1.5", "2.1.5 " + "r".repeat(2000)));
        }
        DeliveryResult result = new DeliveryResult("many", Status.SENT, true, "<m@acme.example>", 1,
                new Smtp(250, "2.0.0", "2.0.0 Ok"), all, null, Map.of(), null, "2026-11-28T10:00:00.120Z",
                "2026-11-28T10:00:00.180Z");

        String json = writer.toJson(result);

        assertThat(utf8(json)).isLessThanOrEqualTo(ResultWriter.MAX_RESULT_BYTES);
        JsonNode written = JSON.readTree(json);
        assertThat(written.get("recipients")).hasSize(3000);
        assertThat(written.get("recipients").get(0).get("status").asText()).isEqualTo("SENT");
        assertThat(written.get("recipients").get(0).get("code").asInt()).isEqualTo(250);
        assertThat(written.get("recipients").get(0).has("response")).isFalse();
        assertThat(SCHEMA.validate(written)).isEmpty();
    }

    private static Map<String, String> maximalTags() {
        // the request schema's limits: 32 tags, names of 64 bytes, values of 256 bytes; quotes double in JSON
        Map<String, String> tags = new LinkedHashMap<>();
        for (int i = 0; i < 32; i++) {
            tags.put(String.format("%02d", i) + "\"".repeat(62), "\\".repeat(256));
        }
        return tags;
    }

    private static String longestAddress(int i) {
        String local = String.format("%05d", i) + "l".repeat(59);
        return local + "@" + "d".repeat(254 - local.length() - 1 - ".example".length()) + ".example";
    }

    private static int utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }
}
