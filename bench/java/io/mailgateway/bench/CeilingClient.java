package io.mailgateway.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeMessage;

import io.mailgateway.smtp.NoDelaySocketFactories;
import io.mailgateway.tls.TlsContexts;

/**
 * The ceiling: a plain Angus Mail client that sends the benchmark mail straight to the relay over a fixed number of
 * connections that stay open (STARTTLS and AUTH once per connection), one sending thread per connection. No Kafka,
 * no validation, no templates: what any gateway in front of this relay can at best reach with this many connections.
 *
 * <p>Arguments: host port user password-file ca-pem connections warm-up-messages messages kind (a
 * {@link BenchMessage.Kind}: which mail to send). Prints "BENCH READY"
 * after the warm-up, waits for "GO" on stdin, then prints "BENCH DONE elapsed-nanos p50-ms p99-ms" with the send time per message.
 */
public final class CeilingClient {

    private CeilingClient() {
    }

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        String user = args[2];
        String password = Files.readString(Path.of(args[3])).strip();
        Path caPem = Path.of(args[4]);
        int connections = Integer.parseInt(args[5]);
        int warmup = Integer.parseInt(args[6]);
        int messages = Integer.parseInt(args[7]);
        BenchMessage.Kind kind = BenchMessage.Kind.valueOf(args[8]);

        Properties props = new Properties();
        props.put("mail.smtp.host", host);
        props.put("mail.smtp.port", String.valueOf(port));
        props.put("mail.smtp.auth", "true");
        props.put("mail.smtp.starttls.enable", "true");
        props.put("mail.smtp.starttls.required", "true");
        props.put("mail.smtp.ssl.checkserveridentity", "true");
        // The gateway's own socket factories: Nagle off on the plain socket and inside TLS, as in the gateway.
        props.put("mail.smtp.ssl.socketFactory", NoDelaySocketFactories.tls(TlsContexts.trustingOnly(caPem).getSocketFactory()));
        props.put("mail.smtp.socketFactory", NoDelaySocketFactories.plain());
        props.put("mail.smtp.socketFactory.fallback", "false");
        props.put("mail.smtp.connectiontimeout", "10000");
        props.put("mail.smtp.timeout", "30000");
        Session session = Session.getInstance(props);

        List<Transport> transports = new ArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(connections);
        try {
            for (int i = 0; i < connections; i++) {
                Transport transport = session.getTransport("smtp");
                transport.connect(user, password);
                transports.add(transport);
            }
            send(session, transports, threads, kind, "ceiling-warmup-", warmup);
            System.out.println("BENCH READY");
            BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            if (!"GO".equals(stdin.readLine())) {
                return;
            }
            long started = System.nanoTime();
            long[] durations = send(session, transports, threads, kind, "ceiling-", messages);
            long elapsed = System.nanoTime() - started;
            Arrays.sort(durations);
            System.out.printf("BENCH DONE %d %.1f %.1f%n", elapsed,
                    percentile(durations, 50) / 1e6, percentile(durations, 99) / 1e6);
            // stay alive until the benchmark has read this process's CPU time and memory and closes stdin
            stdin.readLine();
        } catch (Exception e) {
            System.out.println("BENCH FAILED " + e);
            throw e;
        } finally {
            threads.shutdownNow();
            for (Transport transport : transports) {
                transport.close();
            }
        }
    }

    /** Sends {@code count} messages over the open connections; returns each message's send time in nanoseconds. */
    private static long[] send(Session session, List<Transport> transports, ExecutorService threads,
            BenchMessage.Kind kind, String idPrefix,
            int count) throws Exception {
        long[] durations = new long[count];
        AtomicInteger next = new AtomicInteger();
        int progressEvery = Math.max(1, count / 20);
        List<Future<Void>> running = new ArrayList<>();
        for (Transport transport : transports) {
            running.add(threads.submit(() -> {
                for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                    MimeMessage message = BenchMessage.mimeMessage(session, idPrefix + i, kind);
                    long started = System.nanoTime();
                    transport.sendMessage(message, message.getAllRecipients());
                    durations[i] = System.nanoTime() - started;
                    if ((i + 1) % progressEvery == 0) {
                        System.out.println("BENCH PROGRESS " + (i + 1));
                    }
                }
                return null;
            }));
        }
        for (Future<Void> thread : running) {
            thread.get();
        }
        return durations;
    }

    /** Nearest-rank percentile of sorted values. */
    static long percentile(long[] sorted, int p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }
}
