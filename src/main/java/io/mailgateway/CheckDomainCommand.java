package io.mailgateway;

import java.io.PrintStream;
import java.time.Clock;
import java.util.Map;
import java.util.Properties;

import org.apache.camel.impl.DefaultCamelContext;

import io.mailgateway.config.RelaySettings;
import io.mailgateway.config.SenderCheckConfiguration;
import io.mailgateway.config.SenderCheckSettings;
import io.mailgateway.config.Settings;
import io.mailgateway.senderchecks.DnsLookupException;
import io.mailgateway.senderchecks.DomainCheck;
import io.mailgateway.senderchecks.Finding;

/**
 * {@code java -jar mail-gateway.jar check-domain DOMAIN}: checks a sending domain's SPF, DKIM and DMARC records
 * against the gateway's own settings and prints each finding with the record to publish; exits 0 when nothing is
 * missing or wrong, 1 otherwise (or when DNS did not answer), 2 on usage or settings errors.
 */
public final class CheckDomainCommand {

    private static final String DOMAIN = "(?i)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+\\.?";
    private static final String USAGE = "usage: java -jar mail-gateway.jar check-domain DOMAIN\n"
            + "  (uses the gateway's settings: SMTP_HOST, GATEWAY_RELAYS_FILE, GATEWAY_DKIM_KEYS_DIR, "
            + "GATEWAY_BOUNCE_DOMAIN, GATEWAY_DNS_SERVERS, GATEWAY_DNS_TIMEOUT_MS)";

    private CheckDomainCommand() {
    }

    static int run(String[] args) {
        return run(args, Map.of(), System.out, System.err);
    }

    /**
     * @param overrides settings by key that win over application.properties and the environment
     */
    static int run(String[] args, Map<String, String> overrides, PrintStream out, PrintStream err) {
        if (args.length == 1 && (args[0].equals("-h") || args[0].equals("--help"))) {
            out.println(USAGE);
            return 0;
        }
        if (args.length != 1 || !args[0].matches(DOMAIN)) {
            err.println(USAGE);
            return 2;
        }
        DomainCheck check;
        SenderCheckSettings settings;
        try {
            // The gateway's own settings, read as it reads them at start-up. The context is never started, so there
            // is nothing to stop (and no shutdown lines in the command's output).
            DefaultCamelContext context = new DefaultCamelContext();
            context.getPropertiesComponent().setLocation("classpath:application.properties");
            Properties overriding = new Properties();
            overriding.putAll(overrides);
            context.getPropertiesComponent().setOverrideProperties(overriding);
            Settings source = Settings.of(context);
            settings = SenderCheckSettings.from(source);
            check = SenderCheckConfiguration.domainCheck(settings, RelaySettings.from(source), Clock.systemUTC());
        } catch (Exception e) {
            err.println("cannot read the gateway's settings: " + e.getMessage());
            return 2;
        }
        out.println("Checking " + args[0] + " with " + (settings.dnsServers().isEmpty() ? "the system's DNS resolvers"
                : "DNS servers " + String.join(", ", settings.dnsServers())));
        DomainCheck.Report report;
        try {
            report = check.check(args[0]);
        } catch (DnsLookupException e) {
            err.println("cannot check " + args[0] + ": " + e.getMessage());
            return 1;
        }
        boolean verp = !report.envelopeDomain().equals(report.domain());
        out.println("envelope-sender (SPF) domain: " + report.envelopeDomain()
                + (verp ? " (GATEWAY_BOUNCE_DOMAIN)" : " (the From domain)"));
        for (Finding finding : report.findings()) {
            out.printf("%-8s %s: %s%n", finding.status(), finding.check(), finding.message());
            if (finding.publish() != null) {
                out.println("         publish: " + finding.publish());
            }
        }
        out.println("Note: " + DomainCheck.spfNote());
        long problems = report.findings().stream().filter(Finding::problem).count();
        out.println(problems == 0 ? "nothing missing or wrong" : problems + " problem" + (problems == 1 ? "" : "s"));
        return problems == 0 ? 0 : 1;
    }
}
