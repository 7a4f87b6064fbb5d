package io.mailgateway.preview;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.preview.PreviewPages.Page;

class PreviewPagesTest {

    @TempDir
    Path work;

    private Path templates;
    private Path mailFolder;

    @BeforeEach
    void folders() throws IOException {
        templates = work.resolve("templates");
        file("welcome/default/subject.mustache", "Welcome, {{name}}");
        file("welcome/default/html.mustache", "<p class=\"x\">Hi {{name}} & 'friends'</p><script>alert(1)</script>");
        file("welcome/default/text.mustache", "Hi {{name}} </pre><script>alert(2)</script>");
        file("welcome/sample.json", "{\"name\": \"<b>Jane</b>\"}");
        file("broken/default/subject.mustache", "Hi");
        file("broken/default/text.mustache", "{{> _partials/<img src=x onerror=alert(3)>}}");
        file("broken/sample.json", "{}");
        mailFolder = Files.createDirectories(work.resolve("mail"));
    }

    @Test
    void templateListLinksEveryTemplateAndLocaleWithItsStatus() {
        Page page = pages().templates();

        assertThat(page.status()).isEqualTo(200);
        assertThat(page.html())
                .contains("<a href=\"/preview/templates/welcome\">welcome</a>")
                .contains("<a href=\"/preview/templates/welcome?locale&#61;default\">default</a>")
                .contains("<span class=\"badge ok\">OK</span>")
                .contains("<span class=\"badge problem\">1 problem(s)</span>");
    }

    @Test
    void everyValueFromTemplatesAndDataIsEscapedAndTheHtmlPartIsSandboxed() {
        Page page = pages().template("welcome", null);

        assertThat(page.status()).isEqualTo(200);
        assertThat(page.html())
                // the rendered subject, with the sample data as written: markup shows as text
                .contains("Welcome, &lt;b&gt;Jane&lt;/b&gt;")
                // the HTML part in a sandbox that runs no script, as an escaped attribute value
                .contains("sandbox=\"\"")
                .contains("srcdoc=\"&lt;p class&#61;&quot;x&quot;&gt;Hi &amp;lt;b&amp;gt;Jane&amp;lt;/b&amp;gt; "
                        + "&amp; &#39;friends&#39;&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;\"")
                // the text part cannot end its <pre>
                .contains("Hi <b>Jane</b>".replace("<", "&lt;").replace(">", "&gt;") + " &lt;/pre&gt;")
                .doesNotContain("<script", "<b>");
    }

    @Test
    void problemsAreListedEscaped() {
        Page page = pages().template("broken", "default");

        assertThat(page.status()).isEqualTo(200);
        assertThat(page.html()).contains("<ul class=\"problems\" id=\"problems\">")
                .contains("broken/default: render-failed: text: partial &#39;_partials/&lt;img src&#61;x onerror&#61;"
                        + "alert(3)&gt;&#39; is not allowed")
                .contains("Nothing to show")
                .doesNotContain("<img");
    }

    @Test
    void unknownTemplatesAndMailsAreNotFoundWithTheNameEscaped() {
        Page template = pages().template("<script>x</script>", null);
        assertThat(template.status()).isEqualTo(404);
        assertThat(template.html()).contains("No template named &#39;&lt;script&gt;x&lt;/script&gt;&#39;")
                .doesNotContain("<script");
        assertThat(pages().template("welcome", "fr").status()).isEqualTo(404);
        assertThat(pages().template("../templates", null).status()).isEqualTo(404);
        assertThat(pages().mail("../x.eml").status()).isEqualTo(404);
        assertThat(pages().mail("missing.eml").status()).isEqualTo(404);
        assertThat(new PreviewPages(templates, null).mail("missing.eml").status()).isEqualTo(404);
    }

    @Test
    void mailPagesShowTheCaughtMails() throws IOException {
        Files.writeString(mailFolder.resolve("1-a.eml"), CaughtMailsTest.MULTIPART);

        Page list = pages().mails();
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.html()).contains("<a href=\"/preview/mails/1-a.eml\">Grüße</a>")
                .contains("ACME Shop &lt;shop@acme.example&gt;");

        Page mail = pages().mail("1-a.eml");
        assertThat(mail.status()).isEqualTo(200);
        assertThat(mail.html()).contains("<h1>Grüße</h1>", "srcdoc=\"&lt;p&gt;Hallo&lt;/p&gt;\"", "Hallo Björn",
                "invoice.pdf (application/pdf)");
    }

    @Test
    void withoutAMailFolderTheMailsPageSaysHowToSetOne() {
        Page page = new PreviewPages(templates, null).mails();

        assertThat(page.status()).isEqualTo(200);
        assertThat(page.html()).contains("GATEWAY_PREVIEW_MAIL_DIR");
    }

    @Test
    void errorPageSaysWhereTheDetailsAre() {
        Page page = pages().error();

        assertThat(page.status()).isEqualTo(500);
        assertThat(page.html()).contains("the gateway&#39;s log");
    }

    private PreviewPages pages() {
        return new PreviewPages(templates, mailFolder);
    }

    private void file(String path, String text) throws IOException {
        Path file = templates.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }
}
