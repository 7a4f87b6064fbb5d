package io.mailgateway.request;

import static io.mailgateway.request.Requests.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class RequestParserRobustnessTest {

    private static final String VALID = """
            {"id": "ord-1042-confirmation", "template": "order-confirmation", "locale": "de-AT",
             "from": {"address": "shop@acme.example", "name": "ACME Shop"}, "replyTo": "support@acme.example",
             "to": ["alice@example.org", {"address": "bob@example.org", "name": "Bob"}], "cc": [], "bcc": [],
             "subject": "Ihre Bestellung", "data": {"name": "Alice", "order": {"no": 1042, "total": "€ 99,00"}},
             "attachments": [{"filename": "invoice.pdf", "contentType": "application/pdf", "contentBase64": "JVBERi0xLjQK"}],
             "headers": {"X-Campaign": "autumn"}, "tags": {"tenant": "acme", "kind": "order"}}
            """;

    private static final String[] TOKENS = {"{", "}", "[", "]", ",", ":", "\"", "null", "true", "-", "0", "1e999",
            "\\u0000", "\\ud800", "\\n", "\u2028", "\u0085", "é", "😀", "\"id\"", "\"to\"", "\"X-A\"", "=", " ", "\r\n"};

    private static final String[] FIELDS = {"id", "template", "locale", "from", "replyTo", "to", "cc", "bcc", "subject",
            "text", "html", "data", "attachments", "headers", "tags", "unknown"};

    private final RequestParser parser = new RequestParser(new RequestLimits(4096, 64, 3, 5, 80));

    @Test
    void throwsOnlyRequestRejectedExceptionsForRandomAndMutatedInput() throws Exception {
        Random random = new Random(20261128L);
        byte[] valid = utf8(VALID);
        List<byte[]> inputs = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            inputs.add(randomBytes(random));
            inputs.add(mutatedBytes(random, valid));
            inputs.add(Requests.bytes(mutatedTree(random)));
        }
        inputs.add(utf8("[".repeat(5000)));
        inputs.add(utf8("{\"id\": \"x\", \"data\": " + "{\"a\": ".repeat(900) + "1" + "}".repeat(901)));

        int accepted = 0;
        for (byte[] input : inputs) {
            try {
                parser.parse(input);
                accepted++;
            } catch (RequestRejectedException e) {
                assertThat(e.category()).as(describe(input)).isIn("invalid-request", "too-large");
                assertThat(e.detail()).as(describe(input)).isNotBlank()
                        .doesNotContainPattern("[\\p{Cntrl}\\u2028\\u2029]");
                assertThat(e.getMessage()).isEqualTo(e.category() + ": " + e.detail());
            } catch (Throwable unexpected) {
                fail("parse threw " + unexpected + " for " + describe(input), unexpected);
            }
        }
        // the mutations should not be so wild that nothing ever gets through
        assertThat(accepted).isPositive();
    }

    private static byte[] randomBytes(Random random) {
        byte[] bytes = new byte[random.nextInt(200)];
        random.nextBytes(bytes);
        if (bytes.length > 0 && random.nextBoolean()) {
            bytes[0] = '{';
        }
        return bytes;
    }

    private static byte[] mutatedBytes(Random random, byte[] valid) {
        String text = new String(valid, StandardCharsets.UTF_8);
        for (int edits = 1 + random.nextInt(3); edits > 0; edits--) {
            int at = random.nextInt(text.length());
            switch (random.nextInt(3)) {
                case 0 -> text = text.substring(0, at) + TOKENS[random.nextInt(TOKENS.length)] + text.substring(at);
                case 1 -> text = text.substring(0, at) + text.substring(Math.min(text.length(), at + 1 + random.nextInt(8)));
                default -> text = text.substring(0, at);
            }
        }
        byte[] bytes = utf8(text);
        if (bytes.length > 0 && random.nextInt(4) == 0) {
            bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
        }
        return bytes;
    }

    private static JsonNode mutatedTree(Random random) {
        ObjectNode body = Requests.json(VALID.replace('"', '\''));
        for (int edits = 1 + random.nextInt(2); edits > 0; edits--) {
            String field = FIELDS[random.nextInt(FIELDS.length)];
            if (random.nextInt(4) == 0) {
                body.remove(field);
            } else {
                body.set(field, randomValue(random, 3));
            }
        }
        return body;
    }

    private static JsonNode randomValue(Random random, int depth) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        switch (random.nextInt(depth > 0 ? 9 : 6)) {
            case 0: return nodes.nullNode();
            case 1: return nodes.booleanNode(random.nextBoolean());
            case 2: return nodes.numberNode(random.nextInt(3) == 0 ? random.nextDouble() * 1e300 : random.nextLong());
            case 3: return nodes.textNode(randomText(random));
            case 4: return nodes.textNode(random.nextBoolean() ? "a@example.org" : "Name <a@example.org>");
            case 5: return nodes.textNode(Base64.getEncoder().encodeToString(new byte[random.nextInt(100)]));
            case 6: {
                ArrayNode array = nodes.arrayNode();
                for (int i = random.nextInt(8); i > 0; i--) {
                    array.add(randomValue(random, depth - 1));
                }
                return array;
            }
            default: {
                ObjectNode object = nodes.objectNode();
                for (int i = random.nextInt(5); i > 0; i--) {
                    String key = random.nextBoolean()
                            ? List.of("address", "name", "filename", "contentType", "contentBase64", "X-A").get(random.nextInt(6))
                            : randomText(random);
                    object.set(key, randomValue(random, depth - 1));
                }
                return object;
            }
        }
    }

    private static String randomText(Random random) {
        StringBuilder text = new StringBuilder();
        for (int i = random.nextInt(20); i > 0; i--) {
            text.append(random.nextInt(3) == 0 ? (char) random.nextInt(0x10000) : (char) (0x20 + random.nextInt(0x5f)));
        }
        return text.toString();
    }

    private static String describe(byte[] input) {
        return "input (hex) " + HexFormat.of().formatHex(input, 0, Math.min(input.length, 512));
    }

    @Test
    void givesTheSameResultsWhenOneParserIsSharedByManyThreads() throws Exception {
        List<byte[]> inputs = List.of(
                utf8(VALID),
                Requests.bytes(Requests.inline()),
                utf8("{\"id\": \"x\", \"to\": [\"nobody\"], \"template\": \"t\"}"),
                utf8("{\"id\": \"x\", \"to\": [], \"template\": \"t\", \"extra\": 1}"),
                utf8("not json"));
        List<String> expected = inputs.stream().map(this::outcome).toList();

        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<String>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    start.await();
                    List<String> outcomes = new ArrayList<>();
                    for (int round = 0; round < 200; round++) {
                        for (byte[] input : inputs) {
                            outcomes.add(outcome(input));
                        }
                    }
                    return outcomes;
                }));
            }
            start.countDown();
            for (Future<List<String>> result : results) {
                List<String> outcomes = result.get(60, TimeUnit.SECONDS);
                for (int i = 0; i < outcomes.size(); i++) {
                    assertThat(outcomes.get(i)).isEqualTo(expected.get(i % inputs.size()));
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private String outcome(byte[] input) {
        try {
            MailRequest request = parser.parse(input);
            return "accepted " + request.id() + " " + request.to() + " " + request.data();
        } catch (RequestRejectedException e) {
            return "rejected " + e.getMessage() + " " + e.requestId() + " " + e.tags();
        }
    }
}
