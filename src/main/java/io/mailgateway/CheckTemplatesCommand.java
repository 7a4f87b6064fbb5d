package io.mailgateway;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.mailgateway.render.TemplateCheck;
import io.mailgateway.render.TemplateCheck.Finding;

/**
 * {@code java -jar mail-gateway.jar check-templates [DIR]}: renders every template in every locale with its
 * sample.json and prints OK or the problem for each; exits 0 when all render, 1 on any problem, 2 on usage errors.
 * DIR defaults to GATEWAY_TEMPLATES_DIR, else ./templates.
 */
public final class CheckTemplatesCommand {

    private static final String USAGE = "usage: java -jar mail-gateway.jar check-templates [DIR]"
            + "  (DIR defaults to GATEWAY_TEMPLATES_DIR, else ./templates)";

    private CheckTemplatesCommand() {
    }

    static int run(String[] args) {
        return run(args, System.getenv("GATEWAY_TEMPLATES_DIR"), System.out, System.err);
    }

    /** Runs the check with the given value of GATEWAY_TEMPLATES_DIR (may be null) and returns the exit code. */
    static int run(String[] args, String templatesDirVariable, PrintStream out, PrintStream err) {
        if (args.length == 1 && (args[0].equals("-h") || args[0].equals("--help"))) {
            out.println(USAGE);
            return 0;
        }
        if (args.length > 1 || (args.length == 1 && args[0].startsWith("-"))) {
            err.println(USAGE);
            return 2;
        }
        String dir = args.length == 1 ? args[0]
                : templatesDirVariable != null && !templatesDirVariable.isBlank() ? templatesDirVariable : "templates";
        if (!Files.isDirectory(Path.of(dir))) {
            err.println("not a directory: " + dir);
            err.println(USAGE);
            return 2;
        }
        List<Finding> findings;
        try {
            findings = TemplateCheck.check(Path.of(dir));
        } catch (IllegalStateException e) {
            err.println(e.getMessage());
            return 1;
        }
        if (findings.isEmpty()) {
            out.println("no templates found in " + dir);
            return 1;
        }
        for (Finding finding : findings) {
            out.println(finding.ok() ? "OK    " + finding.where() : "FAIL  " + finding.where() + ": " + finding.problem());
        }
        long problems = findings.stream().filter(f -> !f.ok()).count();
        String templates = count(findings.stream().map(Finding::template).distinct().count(), "template");
        out.println(problems == 0 ? templates + ", all render" : count(problems, "problem") + " in " + templates);
        return problems == 0 ? 0 : 1;
    }

    private static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
