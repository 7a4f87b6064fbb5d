package io.mailgateway.preview;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import io.mailgateway.render.RenderedContent;
import io.mailgateway.render.TemplateCheck;
import io.mailgateway.render.TemplateCheck.Finding;
import io.mailgateway.render.TemplateCheck.Rendering;

/**
 * The templates of a templates folder as the template check sees them: each with its locales and problems, and one
 * template rendered in one locale with its sample data.
 */
public final class TemplatePreviews {

    private static final String DEFAULT_LOCALE = "default";
    // The names requests may use (see the templates README); anything else is not looked up at all.
    private static final Pattern TEMPLATE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
    private static final Pattern LOCALE = Pattern.compile("[A-Za-z0-9]{1,8}([-_][A-Za-z0-9]{1,8}){0,7}");

    /** A locale folder of a template and whether the template renders in it. */
    public record LocaleStatus(String locale, boolean ok) {
    }

    /** One template in the list; {@code problems} says where ("name/locale") and what. */
    public record Summary(String name, List<LocaleStatus> locales, List<String> problems) {

        public boolean ok() {
            return problems.isEmpty();
        }
    }

    /**
     * One template rendered in one locale: {@code content} is null when it did not render; {@code problems} are
     * those of this locale and of the template as a whole.
     */
    public record Preview(String name, String locale, List<LocaleStatus> locales, RenderedContent content,
            List<String> problems) {
    }

    private final Path templatesFolder;

    public TemplatePreviews(Path templatesFolder) {
        this.templatesFolder = templatesFolder;
    }

    /** Whether a name can be a template's name; other names are never looked up. */
    public static boolean isTemplateName(String name) {
        return name != null && TEMPLATE_NAME.matcher(name).matches();
    }

    /** Every template of the folder in name order, with its locales and problems. */
    public List<Summary> list() {
        Map<String, List<Finding>> byTemplate = new LinkedHashMap<>();
        for (Finding finding : TemplateCheck.check(templatesFolder)) {
            byTemplate.computeIfAbsent(finding.template(), name -> new ArrayList<>()).add(finding);
        }
        List<Summary> summaries = new ArrayList<>();
        byTemplate.forEach((name, findings) -> summaries.add(new Summary(name, locales(findings), problems(findings))));
        return summaries;
    }

    /**
     * The template rendered in a locale folder ({@code locale} null or blank: {@code default}, else the first);
     * empty when there is no such template or locale folder.
     */
    public Optional<Preview> preview(String name, String locale) {
        if (!isTemplateName(name) || (locale != null && !locale.isBlank() && !LOCALE.matcher(locale).matches())) {
            return Optional.empty();
        }
        List<Rendering> renderings = TemplateCheck.render(templatesFolder, name);
        if (renderings.isEmpty()) {
            return Optional.empty();
        }
        List<Finding> findings = renderings.stream().map(Rendering::finding).toList();
        List<LocaleStatus> locales = locales(findings);
        String chosen = choose(locales, locale);
        if (chosen == null && locale != null && !locale.isBlank()) {
            return Optional.empty();
        }
        RenderedContent content = null;
        List<Finding> relevant = new ArrayList<>();
        for (Rendering rendering : renderings) {
            String where = rendering.finding().locale();
            if (where == null || where.equals(chosen)) {
                relevant.add(rendering.finding());
                if (where != null) {
                    content = rendering.content();
                }
            }
        }
        return Optional.of(new Preview(name, chosen, locales, content, problems(relevant)));
    }

    private static String choose(List<LocaleStatus> locales, String wanted) {
        if (wanted != null && !wanted.isBlank()) {
            return locales.stream().map(LocaleStatus::locale).filter(wanted::equals).findFirst().orElse(null);
        }
        return locales.stream().map(LocaleStatus::locale).filter(DEFAULT_LOCALE::equals).findFirst()
                .orElse(locales.isEmpty() ? null : locales.get(0).locale());
    }

    private static List<LocaleStatus> locales(List<Finding> findings) {
        return findings.stream().filter(f -> f.locale() != null).map(f -> new LocaleStatus(f.locale(), f.ok())).toList();
    }

    private static List<String> problems(List<Finding> findings) {
        return findings.stream().filter(f -> !f.ok()).map(f -> f.where() + ": " + f.problem()).toList();
    }
}
