package io.mailgateway.render;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.DefaultMustacheVisitor;
import com.github.mustachejava.MustacheException;
import com.github.mustachejava.MustacheNotFoundException;
import com.github.mustachejava.MustacheVisitor;
import com.github.mustachejava.TemplateContext;
import com.github.mustachejava.codes.ValueCode;
import com.github.mustachejava.reflect.MapObjectHandler;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.Writer;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A mustache.java factory that fails on missing values, HTML-escapes only when asked to, and reads partials and
 * layouts only from inside the templates root.
 */
final class StrictMustacheFactory extends DefaultMustacheFactory {

    // relative, segment by segment; a segment cannot start with '.', so ".." and hidden files are out, and so are
    // absolute paths, backslashes and URL schemes (no ':')
    private static final Pattern PARTIAL_NAME =
            Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*");
    private static final int MAX_PARTIAL_NAME_LENGTH = 200;

    private final boolean escapeHtml;

    StrictMustacheFactory(TemplateFiles files, boolean escapeHtml) {
        super(resourceName -> {
            String text = files.read(resourceName);
            return text == null ? null : new StringReader(text);
        });
        this.escapeHtml = escapeHtml;
        // data comes from JSON, so plain map lookups are all a template needs; no reflection on data objects
        setObjectHandler(new MapObjectHandler());
    }

    @Override
    public MustacheVisitor createMustacheVisitor() {
        return new StrictVisitor(this);
    }

    /** Partials and layouts are named from the templates root, so one name works from every template and locale. */
    @Override
    public String resolvePartialPath(String dir, String name, String extension) {
        if (name.length() > MAX_PARTIAL_NAME_LENGTH || !PARTIAL_NAME.matcher(name).matches()) {
            throw new TemplateProblem("partial '" + Names.printable(name)
                    + "' is not allowed; name partials by their path inside the templates folder, e.g. _partials/footer.text");
        }
        return name + TemplateFiles.SUFFIX;
    }

    @Override
    public Reader getReader(String resourceName) {
        try {
            return super.getReader(resourceName);
        } catch (MustacheNotFoundException e) {
            String partial = resourceName.substring(0, resourceName.length() - TemplateFiles.SUFFIX.length());
            throw new TemplateProblem("partial '" + partial + "' not found", e);
        }
    }

    @Override
    public void encode(String value, Writer writer) {
        if (escapeHtml) {
            super.encode(value, writer);
            return;
        }
        try {
            writer.write(value);
        } catch (IOException e) {
            throw new MustacheException("Failed to write value", e);
        }
    }

    private static final class StrictVisitor extends DefaultMustacheVisitor {

        StrictVisitor(DefaultMustacheFactory factory) {
            super(factory);
        }

        @Override
        public void value(TemplateContext tc, String variable, boolean encoded) {
            list.add(new StrictValueCode(tc, df, variable, encoded));
        }

        @Override
        public void dynamicPartial(TemplateContext tc, String variable, String indent) {
            // the partial's name would come from request data, and request data must never pick template code
            throw new TemplateProblem("dynamic partial '{{>" + variable + "}}' is not allowed");
        }
    }

    /**
     * A value tag that fails when its value is missing. Unlike ValueCode it never calls lambdas found in the data:
     * values are always written as text, so data can never become template code.
     */
    private static final class StrictValueCode extends ValueCode {

        StrictValueCode(TemplateContext tc, DefaultMustacheFactory factory, String variable, boolean encoded) {
            super(tc, factory, variable, encoded);
        }

        @Override
        public Writer execute(Writer writer, List<Object> scopes) {
            Object value = get(scopes);
            if (value == null) {
                throw new TemplateProblem("missing variable '" + name + "'");
            }
            try {
                execute(writer, oh.stringify(value));
            } catch (IOException e) {
                throw new MustacheException("Failed to write " + name, e, tc);
            }
            return appendText(writer);
        }
    }
}
