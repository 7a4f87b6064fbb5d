package io.mailgateway.senderchecks;

import java.util.function.Supplier;

import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the domain of every DKIM key once the gateway starts, in the background, and logs a WARN line per problem
 * with the record to publish; readiness never waits for it and its outcome never stops the gateway.
 */
public final class StartupDomainCheck extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(StartupDomainCheck.class);

    private final DkimPublicKeys keys;
    private final Supplier<DomainCheck> checks;
    private Thread thread;

    /** @param checks a check with a fresh time budget for each domain */
    public StartupDomainCheck(DkimPublicKeys keys, Supplier<DomainCheck> checks) {
        this.keys = keys;
        this.checks = checks;
    }

    @Override
    protected void doStart() {
        thread = new Thread(this::checkAll, "sender-checks");
        // Shutdown never waits for a DNS server.
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    protected void doStop() {
        if (thread != null) {
            thread.interrupt();
        }
    }

    /** Checks each domain in turn; returns the number of findings logged. */
    int checkAll() {
        int logged = 0;
        for (String domain : keys.domains()) {
            if (Thread.currentThread().isInterrupted()) {
                return logged;
            }
            try {
                DomainCheck.Report report = checks.get().check(domain);
                for (Finding finding : report.findings()) {
                    if (finding.status() != Finding.Status.OK) {
                        logged++;
                        LOG.warn("Sending domain {}: {} {}: {}{}", domain, finding.status(), finding.check(),
                                finding.message(), finding.publish() == null ? "" : "; publish: " + finding.publish());
                    }
                }
                if (!report.hasProblems()) {
                    LOG.info("Sending domain {}: SPF, DKIM and DMARC checked, nothing missing or wrong", domain);
                }
            } catch (DnsLookupException e) {
                logged++;
                LOG.warn("Sending domain {} could not be checked: {}", domain, e.getMessage());
            } catch (RuntimeException e) {
                logged++;
                LOG.warn("Sending domain {} could not be checked", domain, e);
            }
        }
        return logged;
    }
}
