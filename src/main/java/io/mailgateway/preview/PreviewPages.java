package io.mailgateway.preview;

import java.io.StringWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import com.github.mustachejava.MustacheFactory;

import io.mailgateway.preview.CaughtMails.Mail;
import io.mailgateway.preview.TemplatePreviews.Preview;

/**
 * The HTML of the preview pages: the templates, one template rendered with its sample data, and the mails a
 * development SMTP server caught. Pages are Mustache templates from the classpath folder {@code preview/}, so
 * every value from templates, sample data or mails is HTML-escaped.
 */
public final class PreviewPages {

    /** A page and the HTTP status to answer with. */
    public record Page(int status, String html) {
    }

    /** A link in the page's navigation. */
    public record Link(String label, String href, boolean current) {
    }

    private static final MustacheFactory PAGES = new DefaultMustacheFactory("preview");

    private final TemplatePreviews templates;
    private final CaughtMails mails;

    /**
     * @param templatesFolder the folder the gateway renders mails from
     * @param mailFolder      the folder a development SMTP server writes caught mails to, or null for none
     */
    public PreviewPages(Path templatesFolder, Path mailFolder) {
        this.templates = new TemplatePreviews(templatesFolder);
        this.mails = mailFolder == null ? null : new CaughtMails(mailFolder);
    }

    /** GET /preview: every template with its locales and whether it renders. */
    public Page templates() {
        Map<String, Object> model = page("Templates", "templates");
        model.put("templates", templates.list().stream().map(summary -> Map.of(
                "name", summary.name(),
                "href", templateHref(summary.name(), null),
                "ok", summary.ok(),
                "problemCount", summary.problems().size(),
                "problems", summary.problems(),
                "locales", summary.locales().stream().map(locale -> Map.of(
                        "locale", locale.locale(), "ok", locale.ok(),
                        "href", templateHref(summary.name(), locale.locale()))).toList())).toList());
        return new Page(200, render("templates", model));
    }

    /** GET /preview/templates/{name}?locale=: subject, HTML and text rendered with the sample data, and problems. */
    public Page template(String name, String locale) {
        Optional<Preview> found = templates.preview(name, locale);
        if (found.isEmpty()) {
            return notFound("No template named " + quoted(name) + (locale == null || locale.isBlank() ? ""
                    : " with a locale folder " + quoted(locale)) + ".");
        }
        Preview preview = found.get();
        Map<String, Object> model = page(preview.name() + (preview.locale() == null ? "" : " / " + preview.locale()),
                "templates");
        model.put("name", preview.name());
        model.put("locale", preview.locale());
        model.put("locales", preview.locales().stream().map(l -> Map.of("locale", l.locale(), "ok", l.ok(),
                "current", l.locale().equals(preview.locale()), "href", templateHref(preview.name(), l.locale())))
                .toList());
        model.put("problems", preview.problems());
        model.put("hasProblems", !preview.problems().isEmpty());
        if (preview.content() != null) {
            model.put("content", content(preview.content().subject(), preview.content().html(),
                    preview.content().text()));
        }
        return new Page(200, render("template", model));
    }

    /** GET /preview/mails: the caught mails, newest first. */
    public Page mails() {
        Map<String, Object> model = page("Caught mails", "mails");
        if (mails != null) {
            model.put("folder", mails.folder().toString());
            model.put("mails", mails.list().stream().map(summary -> Map.of(
                    "summary", summary, "href", "/preview/mails/" + encode(summary.file()))).toList());
            model.put("max", CaughtMails.MAX_LISTED);
        }
        return new Page(200, render("mails", model));
    }

    /** GET /preview/mails/{file}: one caught mail: headers, HTML part, text part and attachments. */
    public Page mail(String file) {
        Optional<Mail> found = mails == null ? Optional.empty() : mails.read(file);
        if (found.isEmpty()) {
            return notFound("No caught mail named " + quoted(file) + ".");
        }
        Mail mail = found.get();
        Map<String, Object> model = page(mail.summary().subject().isEmpty() ? mail.summary().file()
                : mail.summary().subject(), "mails");
        model.put("mail", mail);
        model.put("hasAttachments", !mail.attachments().isEmpty());
        model.put("content", content(mail.summary().subject(), mail.html(), mail.text()));
        return new Page(200, render("mail", model));
    }

    /** The page for anything unexpected; the details are in the gateway's log. */
    public Page error() {
        Map<String, Object> model = page("Error", null);
        model.put("message", "The page could not be rendered; the gateway's log says why.");
        return new Page(500, render("message", model));
    }

    private Page notFound(String message) {
        Map<String, Object> model = page("Not found", null);
        model.put("message", message);
        return new Page(404, render("message", model));
    }

    private Map<String, Object> page(String title, String section) {
        Map<String, Object> model = new HashMap<>();
        model.put("title", title);
        model.put("nav", List.of(new Link("Templates", "/preview", "templates".equals(section)),
                new Link("Caught mails", "/preview/mails", "mails".equals(section))));
        return model;
    }

    private static Map<String, Object> content(String subject, String html, String text) {
        Map<String, Object> content = new HashMap<>();
        content.put("subject", subject);
        content.put("html", html);
        content.put("text", text);
        return content;
    }

    /** A name from the address bar, shortened and without control characters; the page escapes it. */
    private static String quoted(String value) {
        if (value == null) {
            return "''";
        }
        String shown = value.length() > 80 ? value.substring(0, 80) + "..." : value;
        return "'" + shown.replaceAll("\\p{Cntrl}", "?") + "'";
    }

    private static String templateHref(String name, String locale) {
        return "/preview/templates/" + encode(name) + (locale == null ? "" : "?locale=" + encode(locale));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String render(String page, Map<String, Object> model) {
        Mustache mustache = PAGES.compile(page + ".mustache");
        StringWriter out = new StringWriter();
        mustache.execute(out, model);
        return out.toString();
    }
}
