package io.mailgateway.preview;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.mailgateway.preview.CaughtMails.AttachmentInfo;
import io.mailgateway.preview.CaughtMails.HeaderLine;
import io.mailgateway.preview.CaughtMails.Mail;
import io.mailgateway.preview.CaughtMails.Summary;

class CaughtMailsTest {

    static final String MULTIPART = """
            From: ACME Shop <shop@acme.example>\r
            To: alice@example.org, =?UTF-8?Q?Bob_M=C3=BCller?= <bob@example.org>\r
            Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r
            Date: Fri, 4 Dec 2026 17:30:00 +0000\r
            MIME-Version: 1.0\r
            Content-Type: multipart/mixed; boundary="outer"\r
            \r
            --outer\r
            Content-Type: multipart/alternative; boundary="inner"\r
            \r
            --inner\r
            Content-Type: text/plain; charset=UTF-8\r
            Content-Transfer-Encoding: quoted-printable\r
            \r
            Hallo Bj=C3=B6rn\r
            --inner\r
            Content-Type: text/html; charset=UTF-8\r
            \r
            <p>Hallo</p>\r
            --inner--\r
            --outer\r
            Content-Type: application/pdf\r
            Content-Disposition: attachment; filename="invoice.pdf"\r
            Content-Transfer-Encoding: base64\r
            \r
            JVBERi0xLjQ=\r
            --outer--\r
            """;

    @TempDir
    Path work;

    private Path folder;
    private CaughtMails mails;

    @BeforeEach
    void folder() throws IOException {
        folder = Files.createDirectories(work.resolve("mail"));
        mails = new CaughtMails(folder);
    }

    @Test
    void listsMailsNewestFirstWithTheirHeadersDecoded() throws IOException {
        write("1-20261204T100000000Z.eml", "From: a@acme.example\r\nTo: x@example.org\r\nSubject: first\r\n\r\nbody\r\n",
                Instant.parse("2026-12-04T10:00:00Z"));
        write("2-20261204T110000000Z.eml", MULTIPART, Instant.parse("2026-12-04T11:00:00Z"));
        Files.writeString(folder.resolve("notes.txt"), "not a mail");
        Files.createDirectories(folder.resolve("sub.eml"));

        assertThat(mails.list()).containsExactly(
                new Summary("2-20261204T110000000Z.eml", "ACME Shop <shop@acme.example>",
                        "alice@example.org, Bob Müller <bob@example.org>", "Grüße", "Fri, 4 Dec 2026 17:30:00 +0000"),
                new Summary("1-20261204T100000000Z.eml", "a@acme.example", "x@example.org", "first", ""));
    }

    @Test
    void folderThatDoesNotExistYetHasNoMails() {
        assertThat(new CaughtMails(work.resolve("not-yet")).list()).isEmpty();
    }

    @Test
    void readsAMailsHeadersPartsAndAttachments() throws IOException {
        write("2-x.eml", MULTIPART, Instant.now());

        Mail mail = mails.read("2-x.eml").orElseThrow();

        assertThat(mail.summary().subject()).isEqualTo("Grüße");
        assertThat(mail.headers()).contains(new HeaderLine("Subject", "Grüße"),
                new HeaderLine("To", "alice@example.org, Bob Müller <bob@example.org>"));
        assertThat(mail.text()).isEqualTo("Hallo Björn");
        assertThat(mail.html()).isEqualTo("<p>Hallo</p>");
        assertThat(mail.attachments()).containsExactly(new AttachmentInfo("invoice.pdf", "application/pdf"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"../outside.eml", "..", ".eml", ".hidden.eml", "sub/../outside.eml", "/etc/passwd",
            "..\\outside.eml", "outside.txt", "missing.eml", "a b.eml", ""})
    void namesThatAreNotMailFilesOfTheFolderAreNotFound(String name) throws IOException {
        Files.writeString(work.resolve("outside.eml"), "Subject: outside\r\n\r\nsecret\r\n");
        Files.writeString(folder.resolve(".hidden.eml"), "Subject: hidden\r\n\r\nsecret\r\n");

        assertThat(mails.read(name)).isEmpty();
    }

    @Test
    void symbolicLinkOutOfTheFolderIsNotFollowed() throws IOException {
        Path outside = Files.writeString(work.resolve("outside.eml"), "Subject: outside\r\n\r\nsecret\r\n");
        Files.createSymbolicLink(folder.resolve("link.eml"), outside);

        assertThat(mails.read("link.eml")).isEmpty();
        assertThat(mails.list()).isEmpty();
    }

    @Test
    void mailFileNamesArePlainEmlFileNames() {
        assertThat(CaughtMails.isMailFileName("12-20261204T173200123Z.eml")).isTrue();
        assertThat(CaughtMails.isMailFileName("welcome_1.eml")).isTrue();
        assertThat(CaughtMails.isMailFileName(null)).isFalse();
        assertThat(CaughtMails.isMailFileName("x.eml\n")).isFalse();
        assertThat(CaughtMails.isMailFileName("a".repeat(300) + ".eml")).isFalse();
    }

    private void write(String name, String content, Instant modified) throws IOException {
        Path file = Files.writeString(folder.resolve(name), content);
        Files.setLastModifiedTime(file, FileTime.from(modified));
    }
}
