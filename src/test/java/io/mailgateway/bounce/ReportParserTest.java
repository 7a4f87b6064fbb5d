package io.mailgateway.bounce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Properties;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.mailgateway.bounce.DeliveryReport.Action;
import io.mailgateway.bounce.DeliveryReport.Kind;
import io.mailgateway.bounce.DeliveryReport.ReportedRecipient;
import io.mailgateway.returnpath.ReturnPaths;

class ReportParserTest {

    private static final String VERP = "bounces+k7m2q4x6z3a5b7c2d4e6f3g5h7jab@bounce.gw.test";
    private static final Session SESSION = Session.getInstance(new Properties());

    private final ReportParser parser = new ReportParser();

    @Test
    void aPostfixDsnForAnUnknownUserIsAFailureWithItsStatusServerAndReply() {
        DeliveryReport report = parser.parse(fixture("postfix-550-user-unknown.eml"));

        assertThat(report.kind()).isEqualTo(Kind.DSN);
        assertThat(report.reportMessageId()).isEqualTo("<20261206160001.4XyZ1J2k3Lz9sTQ@mail.gw.test>");
        assertThat(report.returnPath()).isEqualTo(VERP);
        assertThat(report.originalMessageId()).isEqualTo("<ord-1042.confirmation@gw.test>");
        assertThat(report.originalEnvelopeId()).isEqualTo("ord-1042:confirmation");
        assertThat(report.feedbackType()).isNull();
        assertThat(report.recipients()).containsExactly(new ReportedRecipient("alice@example.org", Action.FAILED,
                "5.1.1", "mx.example.org", "smtp; 550 5.1.1 <alice@example.org>: Recipient address rejected: User "
                        + "unknown in local recipient table"));
    }

    // Both reports were produced by a real Postfix refusing the next hop with 550 5.1.1, sent to a VERP return path
    // made with this key, and fetched over IMAPS from Dovecot (CRLF line ends).
    @ParameterizedTest
    @ValueSource(strings = {"postfix-real-dsn.eml", "postfix-real-dsn-headers-only.eml"})
    void aReportFromARealPostfixNamesTheRequestAndRecipientItsReturnPathWasMadeFor(String fixture) {
        ReturnPaths returnPaths = ReturnPaths.of("postfix-real-dsn-fixture-secret!".getBytes(StandardCharsets.US_ASCII),
                "bounce.gw.test");

        DeliveryReport report = parser.parse(fixture(fixture));

        assertThat(report.kind()).isEqualTo(Kind.DSN);
        assertThat(report.originalMessageId()).isEqualTo("<dd80e03ce9099630cdf683ae1519cff2@gw.test>");
        assertThat(report.recipients()).singleElement().satisfies(recipient -> {
            assertThat(recipient.recipient()).isEqualTo("nobody@bounce.test");
            assertThat(recipient.action()).isEqualTo(Action.FAILED);
            assertThat(recipient.status()).isEqualTo("5.1.1");
            assertThat(recipient.diagnostic()).startsWith("smtp; 550 5.1.1");
        });
        ReturnPaths.Token token = returnPaths.parse(report.returnPath()).orElseThrow();
        assertThat(returnPaths.matches(token, "fixture-bounce-1", "nobody@bounce.test")).isTrue();
    }

    @Test
    void aDelayedDsnWrittenInOddCaseWithCommentsAndFoldingIsADelay() {
        DeliveryReport report = parser.parse(fixture("postfix-delayed.eml"));

        assertThat(report.kind()).isEqualTo(Kind.DSN);
        assertThat(report.originalMessageId()).isEqualTo("<ord-1043.confirmation@gw.test>");
        assertThat(report.originalEnvelopeId()).isEqualTo("ord-1043+retry");
        assertThat(report.recipients()).containsExactly(new ReportedRecipient("Bob@Example.net", Action.DELAYED,
                "4.4.1", null, "X-Postfix; connect to mx.example.net[192.0.2.30]:25: Connection timed out"));
    }

    @Test
    void aDsnWithCrlfLineEndsAndABase64StatusPartReadsTheSame() {
        String dsn = text("postfix-550-user-unknown.eml");
        int start = dsn.indexOf("Reporting-MTA:");
        int end = dsn.indexOf("\n--4XyZ1J2k3Lz9sTQ.1796572801/mail.gw.test\nContent-Description: Undelivered");
        String status = dsn.substring(start, end);
        String encoded = dsn.substring(0, start).replace("Content-Type: message/delivery-status\n",
                "Content-Type: message/delivery-status\nContent-Transfer-Encoding: base64\n")
                + Base64.getMimeEncoder().encodeToString(status.getBytes(StandardCharsets.US_ASCII))
                + "\n" + dsn.substring(end);

        DeliveryReport asWritten = parser.parse(fixture("postfix-550-user-unknown.eml"));
        DeliveryReport asServed = parser.parse(message(encoded.replace("\n", "\r\n")));

        assertThat(asServed).isEqualTo(asWritten);
    }

    @Test
    void theOriginalRecipientIsReportedWhenTheFinalOneWasRewritten() {
        String forwarded = text("postfix-550-user-unknown.eml")
                .replace("Final-Recipient: rfc822; alice@example.org",
                        "Final-Recipient: rfc822; a.smith@mbox.example.org");

        DeliveryReport report = parser.parse(message(forwarded));

        assertThat(report.recipients()).extracting(ReportedRecipient::recipient).containsExactly("alice@example.org");
    }

    @Test
    void aDsnWithoutTheBlankLineBeforeItsRecipientFieldsIsStillRead() {
        String run = text("postfix-550-user-unknown.eml").replace("(UTC)\n\nFinal-Recipient", "(UTC)\nFinal-Recipient");

        DeliveryReport report = parser.parse(message(run));

        assertThat(report.kind()).isEqualTo(Kind.DSN);
        assertThat(report.originalEnvelopeId()).isEqualTo("ord-1042:confirmation");
        assertThat(report.recipients()).extracting(ReportedRecipient::recipient, ReportedRecipient::status)
                .containsExactly(tuple("alice@example.org", "5.1.1"));
    }

    @Test
    void aRecipientBlockWithoutActionTakesItsActionFromItsStatus() {
        String noAction = text("postfix-550-user-unknown.eml").replace("Action: failed\n", "");

        DeliveryReport report = parser.parse(message(noAction));

        assertThat(report.recipients()).extracting(ReportedRecipient::action).containsExactly(Action.FAILED);
    }

    @Test
    void anArfAbuseReportIsAComplaintAgainstTheMailsReturnPath() {
        DeliveryReport report = parser.parse(fixture("arf-abuse.eml"));

        assertThat(report.kind()).isEqualTo(Kind.ARF);
        assertThat(report.feedbackType()).isEqualTo("abuse");
        assertThat(report.reportMessageId()).isEqualTo("<arf-7788@mailbox.example>");
        assertThat(report.returnPath()).isEqualTo(VERP);
        assertThat(report.originalMessageId()).isEqualTo("<ord-2001.shipped@gw.test>");
        assertThat(report.recipients()).containsExactly(
                new ReportedRecipient("carol@mailbox.example", Action.COMPLAINED, null, null, null));
    }

    @Test
    void aComplaintWithoutOriginalMailFromTakesTheReturnedReturnPathElseTheFeedbackAddress() {
        String withoutMailFrom = text("arf-abuse.eml").replace("Original-Mail-From: <" + VERP + ">\n", "");
        String withoutAny = withoutMailFrom.replace("Return-Path: <" + VERP + ">\n", "");

        assertThat(parser.parse(message(withoutMailFrom)).returnPath()).isEqualTo(VERP);
        assertThat(parser.parse(message(withoutAny)).returnPath()).isEqualTo("fbl@gw.test");
    }

    @Test
    void aComplaintWithoutOriginalRcptToNamesTheReturnedMailsRecipient() {
        String redacted = text("arf-abuse.eml").replace("Original-Rcpt-To: <carol@mailbox.example>\n", "");

        DeliveryReport report = parser.parse(message(redacted));

        assertThat(report.recipients()).extracting(ReportedRecipient::recipient)
                .containsExactly("carol@mailbox.example");
    }

    @Test
    void anExchangeNdrIsReadFromItsTextWithTheQuotedStatus() {
        DeliveryReport report = parser.parse(fixture("exchange-ndr.eml"));

        assertThat(report.kind()).isEqualTo(Kind.TEXT);
        assertThat(report.returnPath()).isEqualTo(VERP);
        assertThat(report.originalMessageId()).isEqualTo("<inv-77.issued@gw.test>");
        assertThat(report.recipients()).singleElement().satisfies(line -> {
            assertThat(line.recipient()).isEqualTo("dave@corp.example");
            assertThat(line.action()).isEqualTo(Action.FAILED);
            assertThat(line.status()).isEqualTo("5.1.10");
            assertThat(line.diagnostic()).isEqualTo("Remote Server returned '550 5.1.10 "
                    + "RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup'");
        });
    }

    @Test
    void aGmailAddressNotFoundBounceIsAHardFailure() {
        DeliveryReport report = parser.parse(fixture("gmail-address-not-found.eml"));

        assertThat(report.kind()).isEqualTo(Kind.TEXT);
        assertThat(report.reportMessageId()).isEqualTo("<5f2a.0c1d@mx.google.com>");
        assertThat(report.recipients()).singleElement().satisfies(line -> {
            assertThat(line.recipient()).isEqualTo("frank.nobody@gmail.com");
            assertThat(line.action()).isEqualTo(Action.FAILED);
            assertThat(line.status()).isEqualTo("5.1.1");
        });
    }

    @Test
    void aQmailBounceNamesEveryRecipientItGaveUpOn() {
        DeliveryReport report = parser.parse(fixture("qmail-permanent.eml"));

        assertThat(report.kind()).isEqualTo(Kind.TEXT);
        assertThat(report.recipients()).extracting(ReportedRecipient::recipient, ReportedRecipient::action,
                ReportedRecipient::status)
                .containsExactly(
                        tuple("grace@example.net", Action.FAILED, "5.1.1"),
                        tuple("heidi@example.net", Action.FAILED, "5.1.1"));
        assertThat(report.recipients().get(0).diagnostic()).isEqualTo("Remote host said: 550 5.1.1 "
                + "<grace@example.net>: Recipient address rejected: User unknown");
    }

    @Test
    void aFullMailboxIsASoftBounceThatMayWorkLater() {
        DeliveryReport report = parser.parse(fixture("mailbox-full.eml"));

        assertThat(report.kind()).isEqualTo(Kind.TEXT);
        assertThat(report.returnPath()).isEqualTo(VERP);
        assertThat(report.recipients()).singleElement().satisfies(line -> {
            assertThat(line.recipient()).isEqualTo("ivan@example.com");
            assertThat(line.action()).isEqualTo(Action.FAILED);
            assertThat(line.status()).isEqualTo("4.2.2");
            assertThat(line.diagnostic()).startsWith("552 5.2.2 <ivan@example.com>: Mailbox is full");
        });
    }

    @Test
    void aMalformedMultipartIsUnclassifiedButKeepsWhatItsHeadersSay() {
        DeliveryReport report = parser.parse(fixture("malformed-multipart.eml"));

        assertThat(report.kind()).isEqualTo(Kind.UNCLASSIFIED);
        assertThat(report.recipients()).isEmpty();
        assertThat(report.reportMessageId()).isEqualTo("<broken-1@broken.example>");
        assertThat(report.returnPath()).isEqualTo(VERP);
    }

    @Test
    void aReportMissingItsStatusPartIsReadFromItsText() {
        String dsn = text("postfix-550-user-unknown.eml");
        int statusPart = dsn.indexOf("--4XyZ1J2k3Lz9sTQ.1796572801/mail.gw.test\nContent-Description: Delivery");
        int headersPart = dsn.indexOf("--4XyZ1J2k3Lz9sTQ.1796572801/mail.gw.test\nContent-Description: Undelivered");
        String withoutStatus = dsn.substring(0, statusPart) + dsn.substring(headersPart);

        DeliveryReport report = parser.parse(message(withoutStatus));

        assertThat(report.kind()).isEqualTo(Kind.TEXT);
        assertThat(report.originalMessageId()).isEqualTo("<ord-1042.confirmation@gw.test>");
        assertThat(report.recipients()).extracting(ReportedRecipient::recipient, ReportedRecipient::status)
                .containsExactly(tuple("alice@example.org", "5.1.1"));
    }

    @Test
    void mailThatIsNoReportAtAllIsUnclassified() {
        DeliveryReport report = parser.parse(message("From: someone@example.org\nTo: " + VERP
                + "\nSubject: Re: Your order\nMessage-ID: <reply-1@example.org>\n\nThanks, it arrived.\n"));

        assertThat(report.kind()).isEqualTo(Kind.UNCLASSIFIED);
        assertThat(report.recipients()).isEmpty();
        assertThat(report.reportMessageId()).isEqualTo("<reply-1@example.org>");
    }

    @Test
    void theVerpAddressIsPreferredAmongTheAddressesTheReportWasDeliveredTo() {
        String forwarded = text("postfix-550-user-unknown.eml")
                .replace("Delivered-To: " + VERP, "Delivered-To: postmaster@gw.test");

        assertThat(parser.parse(message(forwarded)).returnPath()).isEqualTo(VERP);
    }

    @Test
    void anOversizedDsnIsReadFromItsBeginningWithoutReadingTheReturnedMail() {
        String dsn = text("postfix-550-user-unknown.eml");
        String end = "--4XyZ1J2k3Lz9sTQ.1796572801/mail.gw.test--";
        String attachment = "--4XyZ1J2k3Lz9sTQ.1796572801/mail.gw.test\nContent-Type: message/rfc822\n\n"
                + "Subject: big\n\n" + "x".repeat(76).concat("\n").repeat(200_000) + "\n";
        String oversized = dsn.replace(end, attachment + end);
        assertThat(oversized.length()).isGreaterThan(ReportParser.MAX_REPORT_BYTES * 10);

        DeliveryReport report = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> parser.parse(message(oversized)));

        assertThat(report.kind()).isEqualTo(Kind.DSN);
        assertThat(report.recipients()).extracting(ReportedRecipient::status).containsExactly("5.1.1");
    }

    @Test
    void aReportIsReadNoDeeperThanAReportIsNested() {
        DeliveryReport wrapped = parser.parse(message(nested(ReportParts.MAX_DEPTH - 1)));
        DeliveryReport buried = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> parser.parse(message(nested(ReportParser.MAX_BOUNDARY_LINES - 1))));

        assertThat(wrapped.kind()).isEqualTo(Kind.DSN);
        assertThat(buried.kind()).isEqualTo(Kind.UNCLASSIFIED);
        assertThat(buried.reportMessageId()).isEqualTo("<nest@example.org>");
    }

    private static String nested(int depth) {
        StringBuilder nested = new StringBuilder("Message-ID: <nest@example.org>\nMIME-Version: 1.0\n");
        for (int i = 0; i < depth; i++) {
            nested.append("Content-Type: multipart/mixed; boundary=\"b").append(i).append("\"\n\n--b").append(i)
                    .append('\n');
        }
        return nested.append("Content-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n"
                + "Final-Recipient: rfc822; x@example.org\nAction: failed\nStatus: 5.1.1\n").toString();
    }

    @Test
    void aReportWithMorePartsThanAnyReportHasIsRefusedBeforeItIsParsed() {
        StringBuilder many = new StringBuilder("Message-ID: <many@example.org>\nMIME-Version: 1.0\n"
                + "Content-Type: multipart/report; report-type=delivery-status; boundary=\"p\"\n\n");
        for (int i = 0; i < 20_000; i++) {
            many.append("--p\nContent-Type: application/octet-stream\n\n").append(i).append('\n');
        }
        many.append("--p\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n"
                + "Final-Recipient: rfc822; x@example.org\nAction: failed\nStatus: 5.1.1\n\n--p--\n");

        DeliveryReport report = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> parser.parse(message(many.toString())));

        assertThat(report.kind()).isEqualTo(Kind.UNCLASSIFIED);
        assertThat(report.reportMessageId()).isEqualTo("<many@example.org>");
    }

    @Test
    void aStatusPartBeyondThePartLimitIsNotRead() {
        StringBuilder wide = new StringBuilder("Message-ID: <wide@example.org>\nMIME-Version: 1.0\n"
                + "Content-Type: multipart/report; report-type=delivery-status; boundary=\"p\"\n\n");
        for (int i = 0; i < ReportParts.MAX_PARTS + 10; i++) {
            wide.append("--p\nContent-Type: application/octet-stream\n\n").append(i).append('\n');
        }
        wide.append("--p\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n"
                + "Final-Recipient: rfc822; x@example.org\nAction: failed\nStatus: 5.1.1\n\n--p--\n");

        DeliveryReport report = parser.parse(message(wide.toString()));

        assertThat(report.kind()).isEqualTo(Kind.UNCLASSIFIED);
        assertThat(report.recipients()).isEmpty();
    }

    @Test
    void oneEndlessLineOfTextIsReadInBoundedTime() {
        String endless = "Message-ID: <long@example.org>\nContent-Type: text/plain\n\n"
                + "a@b ".repeat(500_000) + "\n";

        DeliveryReport report = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> parser.parse(message(endless)));

        assertThat(report.kind()).isEqualTo(Kind.UNCLASSIFIED);
    }

    @Test
    void aMessageThatCannotBeWrittenOutIsUnclassified() throws MessagingException {
        MimeMessage unreadable = new MimeMessage(SESSION) {
            @Override
            public void writeTo(OutputStream out) throws IOException {
                throw new IOException("connection to the mailbox lost");
            }
        };

        assertThat(parser.parse(unreadable).kind()).isEqualTo(Kind.UNCLASSIFIED);
    }

    private static MimeMessage fixture(String name) {
        return message(text(name));
    }

    private static String text(String name) {
        try (InputStream in = ReportParserTest.class.getClassLoader().getResourceAsStream("bounces/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static MimeMessage message(String text) {
        try {
            return new MimeMessage(SESSION, new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }
}
