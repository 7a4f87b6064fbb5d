package io.mailgateway.support;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * Debian's dnsmasq serving the records a test gives it on a free loopback port, answering NXDOMAIN for every other
 * name under the test's domains.
 */
public final class Dnsmasq implements AutoCloseable {

    private static final Path BINARY = Path.of("/usr/sbin/dnsmasq");

    private final Process process;
    private final int port;

    private Dnsmasq(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Records in dnsmasq's own option syntax, e.g. {@code txt("acme.test", "v=spf1 -all")}. */
    public static final class Records {
        private final List<String> options = new ArrayList<>();
        private final List<String> zones = new ArrayList<>();

        /** Names under the zone that are not given here do not exist (NXDOMAIN), as on an authoritative server. */
        public Records zone(String zone) {
            zones.add(zone);
            return this;
        }

        /** A TXT record; a value over 255 characters is split into strings, as DNS requires. */
        public Records txt(String name, String value) {
            StringBuilder strings = new StringBuilder();
            for (int start = 0; start < value.length(); start += 255) {
                strings.append(',').append(value, start, Math.min(value.length(), start + 255));
            }
            options.add("--txt-record=" + name + strings);
            return this;
        }

        public Records host(String name, String address) {
            options.add("--host-record=" + name + "," + address);
            return this;
        }

        public Records mx(String name, String host, int preference) {
            options.add("--mx-host=" + name + "," + host + "," + preference);
            return this;
        }
    }

    public static Dnsmasq start(Records records) throws IOException {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException(BINARY + " is missing: these tests need Debian's dnsmasq "
                    + "(apt-get install dnsmasq)");
        }
        int port = FreePorts.next();
        List<String> command = new ArrayList<>(List.of(BINARY.toString(), "--keep-in-foreground", "--no-resolv",
                "--no-hosts", "--listen-address=127.0.0.1", "--bind-interfaces", "--port=" + port,
                "--conf-file=/dev/null", "--pid-file=", "--log-facility=-"));
        records.zones.forEach(zone -> command.add("--local=/" + zone + "/"));
        command.addAll(records.options);
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Dnsmasq dnsmasq = new Dnsmasq(process, port);
        try {
            await("dnsmasq answering on port " + port).atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> process.isAlive() && dnsmasq.answers());
        } catch (RuntimeException e) {
            dnsmasq.close();
            throw new IllegalStateException("dnsmasq did not start (exit code "
                    + (process.isAlive() ? "none" : process.exitValue()) + ")", e);
        }
        return dnsmasq;
    }

    /** host:port, as GATEWAY_DNS_SERVERS takes it. */
    public String server() {
        return "127.0.0.1:" + port;
    }

    /** Any reply will do, REFUSED included: the server is listening. */
    private boolean answers() {
        SimpleResolver resolver = new SimpleResolver(new InetSocketAddress("127.0.0.1", port));
        resolver.setTimeout(Duration.ofMillis(200));
        try {
            resolver.send(Message.newQuery(Record.newRecord(Name.fromString("probe.invalid."), Type.TXT, DClass.IN)));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
