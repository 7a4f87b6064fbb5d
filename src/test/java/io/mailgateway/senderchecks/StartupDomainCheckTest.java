package io.mailgateway.senderchecks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.StringWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.tls.Pem;

class StartupDomainCheckTest {

    @TempDir
    Path keysDir;

    private final StringWriter log = new StringWriter();
    private WriterAppender capture;

    @BeforeEach
    void captureWarnings() throws Exception {
        Path folder = Files.createDirectories(keysDir.resolve("acme.test"));
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        Pem.write(folder.resolve("s1.pem"), rsa.generateKeyPair().getPrivate());
        Configuration configuration = ((LoggerContext) LogManager.getContext(false)).getConfiguration();
        capture = WriterAppender.newBuilder().setName("startup-check-capture").setTarget(log)
                .setLayout(PatternLayout.newBuilder().withPattern("%p %m%n").build()).build();
        capture.start();
        configuration.getRootLogger().addAppender(capture, null, null);
    }

    @AfterEach
    void stopCapture() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().getRootLogger().removeAppender(capture.getName());
        context.updateLoggers();
        capture.stop();
    }

    @Test
    void logsOneWarnLinePerProblemWithTheRecordToPublish() {
        StartupDomainCheck check = new StartupDomainCheck(new DkimPublicKeys(keysDir),
                () -> new DomainCheck(new NothingPublished(), List.of("192.0.2.10"), Optional.empty(),
                        Optional.of(new DkimPublicKeys(keysDir))));

        // SPF, DKIM and DMARC missing, and so DMARC alignment wrong
        assertThat(check.checkAll()).isEqualTo(4);
        List<String> warnings = log.toString().lines().filter(line -> line.startsWith("WARN ")).toList();
        assertThat(warnings).hasSize(4);
        assertThat(warnings).anyMatch(line -> line.contains("MISSING SPF acme.test")
                && line.endsWith("publish: acme.test TXT \"v=spf1 ip4:192.0.2.10 ~all\""));
        assertThat(warnings).anyMatch(line -> line.contains("MISSING DKIM s1._domainkey.acme.test")
                && line.contains("publish: s1._domainkey.acme.test TXT \"v=DKIM1; k=rsa; p="));
        assertThat(warnings).anyMatch(line -> line.contains("MISSING DMARC")
                && line.endsWith("publish: _dmarc.acme.test TXT \"v=DMARC1; p=quarantine; "
                        + "rua=mailto:dmarc-reports@acme.test\""));
        assertThat(warnings).anyMatch(line -> line.contains("WRONG DMARC alignment: mail from acme.test fails DMARC"));
        assertThat(log.toString()).doesNotContain("PRIVATE KEY");
    }

    @Test
    void startingDoesNotWaitForDnsAndAnUnansweredServerIsOneWarning() throws Exception {
        CountDownLatch answer = new CountDownLatch(1);
        StartupDomainCheck check = new StartupDomainCheck(new DkimPublicKeys(keysDir),
                () -> new DomainCheck(new Unanswered(answer), List.of("192.0.2.10"), Optional.empty(),
                        Optional.of(new DkimPublicKeys(keysDir))));

        check.start();
        // start() returned while the DNS server still keeps the check waiting
        assertThat(log.toString()).doesNotContain("acme.test");
        answer.countDown();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(log.toString())
                .contains("WARN Sending domain acme.test could not be checked: DNS lookup of TXT acme.test failed"));
        check.stop();
    }

    private static class NothingPublished implements DnsRecords {
        @Override
        public List<String> txt(String name) {
            return List.of();
        }

        @Override
        public List<InetAddress> addresses(String name) {
            return List.of();
        }

        @Override
        public List<String> mailExchangers(String name) {
            return List.of();
        }
    }

    /** A DNS server that keeps the check waiting until the test lets it time out. */
    private static final class Unanswered extends NothingPublished {
        private final CountDownLatch answer;

        Unanswered(CountDownLatch answer) {
            this.answer = answer;
        }

        @Override
        public List<String> txt(String name) {
            try {
                answer.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new DnsLookupException("DNS lookup of TXT " + name + " failed: timed out");
        }
    }
}
