package io.mailgateway.mime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;

import org.junit.jupiter.api.Test;

class TextTransferEncodingTest {

    @Test
    void plainAsciiIsSevenBit() {
        assertThat(TextTransferEncoding.of("Hello Alice,\r\n\r\nyour order\tis on its way.\n")).isEqualTo("7bit");
        assertThat(TextTransferEncoding.of("")).isEqualTo("7bit");
    }

    @Test
    void aLineLongerThanTheLimitIsQuotedPrintable() {
        assertThat(TextTransferEncoding.of("a".repeat(998) + "\n" + "b".repeat(998))).isEqualTo("7bit");
        assertThat(TextTransferEncoding.of("a".repeat(999))).isEqualTo("quoted-printable");
    }

    @Test
    void mostlyAsciiIsQuotedPrintableAndMostlyOtherScriptsBase64() {
        assertThat(TextTransferEncoding.of("Grüße aus Wien, € 99,00")).isEqualTo("quoted-printable");
        assertThat(TextTransferEncoding.of("ご注文ありがとうございます")).isEqualTo("base64");
        assertThat(TextTransferEncoding.of("bell\u0007")).isEqualTo("quoted-printable");
    }

    @Test
    void choosesWhatJakartaMailWouldChooseForTheSameText() throws MessagingException {
        List<String> texts = new ArrayList<>(List.of("", "plain", "tab\tand\r\ncrlf", "a".repeat(998), "a".repeat(999),
                "é".repeat(499), "é".repeat(500), "ab\u00e9", "a\u00e9", "\u007f", "\u0000x", "x\u001b[0m",
                "emoji \uD83D\uDE00 ok", "\uD83D\uDE00", "lone \uD800 surrogate", "\uDC00", "z".repeat(997) + "é",
                "<p>Hallo Jürgen</p>\n".repeat(100), "日本語のテキスト\n".repeat(70), "\r", "\n".repeat(5)));
        String palette = "aZ09 \t\r\n.\u00e9\u00fc\u20ac\u65e5\u0001\u007f\uD83D\uDE00\uD800";
        Random random = new Random(16);
        for (int i = 0; i < 300; i++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(i % 10 == 0 ? 2500 : 60);
            for (int j = 0; j < length; j++) {
                text.append(palette.charAt(random.nextInt(palette.length())));
            }
            texts.add(text.toString());
        }
        for (String text : texts) {
            assertThat(TextTransferEncoding.of(text)).as("encoding of %s", text).isEqualTo(jakartaMailsChoice(text));
        }
    }

    /** What Jakarta Mail sets on a UTF-8 text part while saving a message, when nothing was set before. */
    private static String jakartaMailsChoice(String text) throws MessagingException {
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()));
        MimeBodyPart part = new MimeBodyPart();
        part.setText(text, "UTF-8", "plain");
        MimeMultipart multipart = new MimeMultipart();
        multipart.addBodyPart(part);
        message.setContent(multipart);
        message.saveChanges();
        return part.getEncoding();
    }
}
