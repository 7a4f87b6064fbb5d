package io.mailgateway.request;

import static io.mailgateway.request.Requests.assertRejected;
import static io.mailgateway.request.Requests.bytes;
import static io.mailgateway.request.Requests.detailOf;
import static io.mailgateway.request.Requests.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestSchemaValidationTest {

    private final RequestParser parser = new RequestParser(RequestLimits.defaults());

    @Test
    void requiresAnId() {
        ObjectNode body = Requests.templated();
        body.remove("id");

        assertRejected(parser, body).satisfies(e -> {
            assertThat(e.category()).isEqualTo("invalid-request");
            assertThat(e.detail()).isEqualTo("id: required");
            assertThat(e).isNotInstanceOf(NotJsonException.class);
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "has space", "semi;colon", "slash/ed", "ümlaut"})
    void rejectsIdsOutsideTheAllowedCharacters(String id) {
        ObjectNode body = Requests.templated();
        body.put("id", id);

        assertThat(detailOf(parser, body)).isEqualTo("id: must match ^[A-Za-z0-9._:-]{1,128}$");
    }

    @Test
    void acceptsAnIdOf128CharactersButNot129() {
        ObjectNode body = Requests.templated();
        body.put("id", "a.b_c:d-" + "x".repeat(120));
        assertThat(parser.parse(bytes(body)).id()).hasSize(128);

        body.put("id", "x".repeat(129));
        assertThat(detailOf(parser, body)).startsWith("id: must match");
    }

    @Test
    void rejectsAnIdThatIsNotAString() {
        ObjectNode body = Requests.templated();
        body.put("id", 1042);

        assertThat(detailOf(parser, body)).isEqualTo("id: must be a string");
    }

    @Test
    void rejectsUnknownTopLevelProperties() {
        ObjectNode body = Requests.templated();
        body.put("priority", "high");

        assertThat(detailOf(parser, body)).isEqualTo("priority: unknown property");
    }

    @Test
    void rejectsUnknownPropertiesInAddressObjects() {
        ObjectNode body = Requests.templated();
        body.putArray("to").addObject().put("address", "bob@example.org").put("nick", "bobby");

        assertThat(detailOf(parser, body)).isEqualTo("to[0].nick: unknown property");
    }

    @Test
    void rejectsUnknownPropertiesInAttachments() {
        ObjectNode body = Requests.templated();
        body.putArray("attachments").add(Requests.attachment("a.txt", "text/plain", new byte[] {1}).put("inline", true));

        assertThat(detailOf(parser, body)).isEqualTo("attachments[0].inline: unknown property");
    }

    @Test
    void quotesUnusualPropertyNamesInTheDetail() {
        ObjectNode body = Requests.templated();
        body.put("bad key\n", 1);

        assertThat(detailOf(parser, body)).isEqualTo("[\"bad key\\u000a\"]: unknown property");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-starts-with-dash", "has space", "dot.ted", "t/../../etc"})
    void rejectsTemplateNamesOutsideThePattern(String template) {
        ObjectNode body = Requests.templated();
        body.put("template", template);

        assertThat(detailOf(parser, body)).isEqualTo("template: must match ^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$");
    }

    @Test
    void rejectsATemplateNameLongerThan64Characters() {
        ObjectNode body = Requests.templated();
        body.put("template", "t".repeat(64));
        assertThat(parser.parse(bytes(body)).template()).hasSize(64);

        body.put("template", "t".repeat(65));
        assertThat(detailOf(parser, body)).startsWith("template: must match");
    }

    @ParameterizedTest
    @ValueSource(strings = {"de AT", "de.AT", "abcdefghij-abcdefghij-abcdefghij-abc"})
    void rejectsLocalesOutsideThePattern(String locale) {
        ObjectNode body = Requests.templated();
        body.put("locale", locale);

        assertThat(detailOf(parser, body)).startsWith("locale: must match");
    }

    @Test
    void requiresATemplateOrSubjectAndABody() {
        assertThat(detailOf(parser, json("{'id': 'x', 'to': ['a@example.org']}")))
                .isEqualTo("template: required unless subject and text or html are given");
        assertThat(detailOf(parser, json("{'id': 'x', 'to': ['a@example.org'], 'subject': 'Hi'}")))
                .isEqualTo("template: required unless subject and text or html are given");
        assertThat(detailOf(parser, json("{'id': 'x', 'to': ['a@example.org'], 'text': 'Hi'}")))
                .isEqualTo("template: required unless subject and text or html are given");
    }

    @Test
    void acceptsInlineContentWithTextOnlyOrHtmlOnly() {
        assertThat(parser.parse(bytes(json("{'id': 'x', 'to': ['a@example.org'], 'subject': 'Hi', 'text': 'Hi'}"))).text())
                .isEqualTo("Hi");
        assertThat(parser.parse(bytes(json("{'id': 'x', 'to': ['a@example.org'], 'subject': 'Hi', 'html': '<b>Hi</b>'}"))).html())
                .isEqualTo("<b>Hi</b>");
    }

    @Test
    void rejectsAnEmptySubject() {
        ObjectNode body = Requests.templated();
        body.put("subject", "");

        assertThat(detailOf(parser, body)).isEqualTo("subject: must not be empty");
    }

    @Test
    void rejectsInlineBodiesAlongsideATemplate() {
        ObjectNode body = Requests.templated();
        body.put("html", "<p>ignored?</p>");

        assertThat(detailOf(parser, body)).isEqualTo("template: cannot be combined with inline text or html");
    }

    @Test
    void requiresAtLeastOneRecipient() {
        ObjectNode absent = Requests.templated();
        absent.remove("to");
        assertThat(detailOf(parser, absent)).isEqualTo("to: at least one recipient is required in to, cc or bcc");

        ObjectNode empty = Requests.templated();
        empty.putArray("to");
        empty.putArray("cc");
        empty.putArray("bcc");
        assertThat(detailOf(parser, empty)).isEqualTo("to: at least one recipient is required in to, cc or bcc");
    }

    @Test
    void acceptsARecipientInCcOrBccAlone() {
        ObjectNode ccOnly = Requests.templated();
        ccOnly.remove("to");
        ccOnly.putArray("cc").add("carol@example.org");
        assertThat(parser.parse(bytes(ccOnly)).cc()).containsExactly(new MailAddress("carol@example.org", null));

        ObjectNode bccOnly = Requests.templated();
        bccOnly.putArray("to");
        bccOnly.putArray("bcc").add("dave@example.org");
        assertThat(parser.parse(bytes(bccOnly)).bcc()).containsExactly(new MailAddress("dave@example.org", null));
    }

    @Test
    void reportsAddressShapeErrorsWithBracketPaths() {
        ObjectNode body = Requests.templated();
        body.putArray("to").add("alice@example.org").add(42).addObject().put("address", 7);

        assertThat(detailOf(parser, body)).isEqualTo("to[1]: must be a string or an object; to[2].address: must be a string");
    }

    @Test
    void requiresTheAddressInAnAddressObject() {
        ObjectNode body = Requests.templated();
        body.putObject("from").put("name", "ACME Shop");

        assertThat(detailOf(parser, body)).isEqualTo("from.address: required");
    }

    @Test
    void rejectsRecipientsThatAreNotAList() {
        ObjectNode body = Requests.templated();
        body.put("to", "alice@example.org");

        assertThat(detailOf(parser, body)).contains("to: must be an array");
    }

    @Test
    void rejectsHeaderNamesThatDoNotStartWithX() {
        ObjectNode body = Requests.templated();
        body.putObject("headers").put("Bcc", "eve@example.org");

        assertThat(detailOf(parser, body))
                .isEqualTo("headers.Bcc: invalid name, does not match the regex pattern ^X-[A-Za-z0-9-]{1,64}$");
    }

    @ParameterizedTest
    @ValueSource(strings = {"X-", "X-Under_score", "X-Colon:", "x-lower-x"})
    void rejectsHeaderNamesOutsideThePattern(String name) {
        ObjectNode body = Requests.templated();
        body.putObject("headers").put(name, "v");

        assertThat(detailOf(parser, body)).contains(": invalid name, does not match the regex pattern");
    }

    @Test
    void rejectsHeaderValuesThatAreNotShortStrings() {
        ObjectNode body = Requests.templated();
        body.putObject("headers").put("X-Count", 3).put("X-Long", "v".repeat(999));

        assertThat(detailOf(parser, body))
                .isEqualTo("headers.X-Count: must be a string; headers.X-Long: must be at most 998 characters long");
    }

    @Test
    void boundsTheNumberAndSizeOfTags() {
        ObjectNode tooMany = Requests.templated();
        ObjectNode tags = tooMany.putObject("tags");
        for (int i = 0; i < 33; i++) {
            tags.put("k" + i, "v");
        }
        assertThat(detailOf(parser, tooMany)).isEqualTo("tags: must have at most 32 entries");

        ObjectNode longKey = Requests.templated();
        longKey.putObject("tags").put("k".repeat(65), "v");
        assertThat(detailOf(parser, longKey)).startsWith("tags[\"kkk").endsWith(": invalid name, must be at most 64 characters long");

        ObjectNode longValue = Requests.templated();
        longValue.putObject("tags").put("k", "v".repeat(257));
        assertThat(detailOf(parser, longValue)).isEqualTo("tags.k: must be at most 256 characters long");
    }

    @Test
    void requiresFilenameContentTypeAndContentOfAnAttachment() {
        ObjectNode body = Requests.templated();
        body.putArray("attachments").add(Requests.attachment("a.txt", "text/plain", new byte[] {1})).addObject();

        assertThat(detailOf(parser, body)).isEqualTo(
                "attachments[1].contentBase64: required; attachments[1].contentType: required; attachments[1].filename: required");
    }

    @Test
    void rejectsTemplateDataThatIsNotAnObject() {
        ObjectNode body = Requests.templated();
        body.putArray("data");

        assertThat(detailOf(parser, body)).isEqualTo("data: must be an object");
    }

    @Test
    void reportsAtMostThreeViolationsInSortedOrder() {
        ObjectNode body = json("{'id': 'has space', 'template': '-', 'locale': 'de AT', 'to': ['a@example.org'],"
                + " 'cc': 'b@example.org', 'extra': 1}");

        String detail = detailOf(parser, body);

        assertThat(detail).isEqualTo("cc: must be an array; extra: unknown property; id: must match ^[A-Za-z0-9._:-]{1,128}$");
        assertThat(detailOf(parser, body)).isEqualTo(detail);
    }
}
