package io.mailgateway.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import io.mailgateway.local.LocalCertificate;

/** An SMTP server on 127.0.0.1 whose reply to each command is scripted by the test, and which records every byte it receives. */
public final class ScriptedSmtpServer implements AutoCloseable {

    /** Connect to this literal: the local certificate holds it as an IP entry, and it cannot resolve to IPv6. */
    public static final String HOST = "127.0.0.1";

    /** The points of the dialogue a test can script. */
    public enum Command {
        GREETING, EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA,
        /** The reply after the final "." of DATA. */
        DATA_END,
        RSET, NOOP, QUIT
    }

    /** What the server does instead of its normal reply. */
    public static final class Action {

        private enum Kind { REPLY, DROP, SILENCE }

        private final Kind kind;
        private final int code;
        private final String text;
        private final Duration delay;

        private Action(Kind kind, int code, String text, Duration delay) {
            this.kind = kind;
            this.code = code;
            this.text = text;
            this.delay = delay;
        }

        private Action(Kind kind, int code, String text) {
            this(kind, code, text, Duration.ZERO);
        }

        /** Answers with this code; a text with line breaks becomes a multi-line reply. */
        public static Action reply(int code, String text) {
            return new Action(Kind.REPLY, code, Objects.requireNonNull(text, "text"));
        }

        /**
         * Answers with this code, but only after the delay, as a slow relay. At DATA_END a positive reply counts the
         * message as received when the server decides, before the delay: a slow relay has queued it already, even if
         * the client stops waiting for the reply.
         */
        public static Action delayedReply(Duration delay, int code, String text) {
            return new Action(Kind.REPLY, code, Objects.requireNonNull(text, "text"), Objects.requireNonNull(delay, "delay"));
        }

        /** Closes the connection without a reply. */
        public static Action drop() {
            return new Action(Kind.DROP, 0, null);
        }

        /** Never answers, but keeps reading (and recording) until the client or the server closes the connection. */
        public static Action silence() {
            return new Action(Kind.SILENCE, 0, null);
        }

        @Override
        public String toString() {
            String reply = kind == Kind.REPLY ? code + " " + text : kind.toString();
            return delay.isZero() ? reply : reply + " after " + delay.toMillis() + " ms";
        }
    }

    /** One message the server accepted: the envelope and the data as received, dot-stuffing removed. */
    public record ReceivedMessage(String envelopeFrom, List<String> envelopeRecipients, byte[] raw) {

        public ReceivedMessage {
            envelopeRecipients = List.copyOf(envelopeRecipients);
        }

        public String rawAsString() {
            return new String(raw, StandardCharsets.UTF_8);
        }
    }

    private final Builder config;
    private final ServerSocket serverSocket;
    private final ExecutorService threads;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger activeConnections = new AtomicInteger();
    private final AtomicInteger mostActiveConnections = new AtomicInteger();
    private final AtomicInteger tlsHandshakes = new AtomicInteger();
    private final Set<Socket> openSockets = new LinkedHashSet<>();
    private final ByteArrayOutputStream cleartext = new ByteArrayOutputStream();
    private final ByteArrayOutputStream afterTls = new ByteArrayOutputStream();
    private final List<String> commandLines = new ArrayList<>();
    private final List<ReceivedMessage> messages = new ArrayList<>();
    private volatile boolean closed;

    private ScriptedSmtpServer(Builder config) throws IOException {
        this.config = config;
        this.serverSocket = new ServerSocket(0, 50, InetAddress.getByName(HOST));
        AtomicInteger threadNumber = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "scripted-smtp-" + threadNumber.incrementAndGet());
            // a test that forgets close() must not keep the JVM alive
            thread.setDaemon(true);
            return thread;
        });
        threads.execute(this::acceptLoop);
    }

    public static Builder builder() {
        return new Builder();
    }

    public int port() {
        return serverSocket.getLocalPort();
    }

    /** How many connections were accepted so far. */
    public int connections() {
        return connections.get();
    }

    /** Connections still open; zero once every client has gone, so everything it sent has been recorded. */
    public int activeConnections() {
        return activeConnections.get();
    }

    /** The most connections that were open at the same time. */
    public int mostActiveConnections() {
        return mostActiveConnections.get();
    }

    /** Closes every open connection without a word, as a relay does with connections idle for too long. */
    public void dropOpenConnections() {
        synchronized (openSockets) {
            for (Socket socket : openSockets) {
                closeQuietly(socket);
            }
        }
    }

    /** Completed STARTTLS handshakes. */
    public int tlsHandshakes() {
        return tlsHandshakes.get();
    }

    /** Every byte received before TLS was in place, over all connections. */
    public byte[] cleartextBytes() {
        synchronized (cleartext) {
            return cleartext.toByteArray();
        }
    }

    /** Every byte received inside TLS, decrypted, over all connections. */
    public byte[] tlsBytes() {
        synchronized (afterTls) {
            return afterTls.toByteArray();
        }
    }

    public String cleartext() {
        return new String(cleartextBytes(), StandardCharsets.UTF_8);
    }

    public String tlsText() {
        return new String(tlsBytes(), StandardCharsets.UTF_8);
    }

    /** The command lines received, in order, before and after TLS (not DATA content, not AUTH continuation lines). */
    public List<String> commandLines() {
        synchronized (commandLines) {
            return List.copyOf(commandLines);
        }
    }

    /** The messages answered with a positive reply after DATA. */
    public List<ReceivedMessage> messages() {
        synchronized (messages) {
            return List.copyOf(messages);
        }
    }

    @Override
    public void close() {
        synchronized (openSockets) {
            closed = true;
        }
        try {
            serverSocket.close();
        } catch (IOException ignored) {
            // closing is all that is left to do
        }
        synchronized (openSockets) {
            for (Socket socket : openSockets) {
                closeQuietly(socket);
            }
        }
        threads.shutdownNow();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (IOException e) {
                // closed by close(), or the listening socket broke: either way no more clients
                return;
            }
            connections.incrementAndGet();
            synchronized (openSockets) {
                if (closed) {
                    // close() has already gone through the open sockets
                    closeQuietly(socket);
                    return;
                }
                openSockets.add(socket);
                mostActiveConnections.accumulateAndGet(activeConnections.incrementAndGet(), Math::max);
            }
            try {
                threads.execute(() -> serve(socket));
            } catch (RejectedExecutionException e) {
                forget(socket);
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try {
            new Session(socket).run();
        } catch (IOException e) {
            // the client went away or TLS failed; the recording so far is what the test looks at
        } finally {
            forget(socket);
        }
    }

    private void forget(Socket socket) {
        closeQuietly(socket);
        synchronized (openSockets) {
            if (openSockets.remove(socket)) {
                activeConnections.decrementAndGet();
            }
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }

    private Action scripted(Command command) {
        return config.actions.get(command);
    }

    /** One SMTP dialogue; reads byte by byte so nothing meant for the TLS handshake is swallowed by a buffer. */
    private final class Session {

        private final Socket plainSocket;
        private InputStream in;
        private OutputStream out;
        private boolean tls;
        private boolean authenticated;
        private String envelopeFrom;
        private final List<String> recipients = new ArrayList<>();

        Session(Socket socket) throws IOException {
            this.plainSocket = socket;
            // a safety net only: close() ends every session long before this
            socket.setSoTimeout(30_000);
            useStreams(socket, cleartext);
            if (config.implicitTls) {
                upgrade();
            }
        }

        /** Turns the connection into a server-side TLS connection; fails when the client refuses the handshake. */
        private void upgrade() throws IOException {
            SSLSocket tlsSocket = (SSLSocket) config.sslContext.getSocketFactory()
                    .createSocket(plainSocket, HOST, plainSocket.getPort(), true);
            tlsSocket.setUseClientMode(false);
            if (config.tlsProtocols != null) {
                tlsSocket.setEnabledProtocols(config.tlsProtocols);
            }
            tlsSocket.startHandshake();
            tlsHandshakes.incrementAndGet();
            tls = true;
            useStreams(tlsSocket, afterTls);
        }

        private void useStreams(Socket current, ByteArrayOutputStream record) throws IOException {
            this.in = new RecordingInputStream(current.getInputStream(), record);
            this.out = current.getOutputStream();
        }

        void run() throws IOException {
            if (!respond(Command.GREETING, 220, "scripted ESMTP ready")) {
                return;
            }
            String line;
            while ((line = readLine()) != null) {
                synchronized (commandLines) {
                    commandLines.add(line);
                }
                String verb = verb(line);
                boolean goOn = switch (verb) {
                    case "EHLO", "HELO" -> ehlo(line);
                    case "STARTTLS" -> startTls();
                    case "AUTH" -> auth(line);
                    case "MAIL" -> mail(line);
                    case "RCPT" -> rcpt(line);
                    case "DATA" -> data();
                    case "RSET" -> {
                        resetTransaction();
                        yield respond(Command.RSET, 250, "2.0.0 Ok");
                    }
                    case "NOOP" -> respond(Command.NOOP, 250, "2.0.0 Ok");
                    case "QUIT" -> {
                        respond(Command.QUIT, 221, "2.0.0 Bye");
                        yield false;
                    }
                    default -> reply(500, "5.5.2 command not recognized");
                };
                if (!goOn) {
                    return;
                }
            }
        }

        private boolean ehlo(String line) throws IOException {
            Action action = scripted(Command.EHLO);
            if (action != null) {
                return perform(action);
            }
            if (!verb(line).equals("EHLO")) {
                return reply(250, "scripted");
            }
            List<String> lines = new ArrayList<>();
            lines.add("scripted");
            if (config.sslContext != null && !tls) {
                lines.add("STARTTLS");
            }
            // like most submission servers: no AUTH before TLS when TLS is on offer
            if (config.user != null && (tls || config.sslContext == null)) {
                lines.add("AUTH PLAIN LOGIN");
            }
            lines.addAll(config.extensions);
            return reply(250, String.join("\n", lines));
        }

        private boolean startTls() throws IOException {
            Action action = scripted(Command.STARTTLS);
            if (action != null && action.kind != Action.Kind.REPLY) {
                return perform(action);
            }
            if (config.sslContext == null || tls) {
                return action != null ? perform(action) : reply(502, "5.5.1 STARTTLS not available");
            }
            if (action != null) {
                perform(action);
                if (action.code != 220) {
                    return true;
                }
            } else {
                reply(220, "2.0.0 Ready to start TLS");
            }
            // fails here when the client refuses the certificate; the session then ends
            upgrade();
            // RFC 3207: the client starts over after TLS
            authenticated = false;
            resetTransaction();
            return true;
        }

        private boolean auth(String line) throws IOException {
            Action action = scripted(Command.AUTH);
            if (action != null) {
                return perform(action);
            }
            if (config.user == null) {
                return reply(502, "5.5.1 AUTH not available");
            }
            if (authenticated) {
                return reply(503, "5.5.1 already authenticated");
            }
            String[] parts = line.split(" ");
            String mechanism = parts.length > 1 ? parts[1].toUpperCase(Locale.ROOT) : "";
            String user;
            String password;
            if (mechanism.equals("PLAIN")) {
                String response = parts.length > 2 ? parts[2] : challenge("");
                if (response == null) {
                    return false;
                }
                // authzid NUL authcid NUL password (RFC 4616)
                String[] fields = decode(response).split("\0", -1);
                if (fields.length != 3) {
                    return reply(501, "5.5.2 malformed PLAIN response");
                }
                user = fields[1];
                password = fields[2];
            } else if (mechanism.equals("LOGIN")) {
                String userResponse = parts.length > 2 ? parts[2] : challenge("VXNlcm5hbWU6");
                String passwordResponse = userResponse == null ? null : challenge("UGFzc3dvcmQ6");
                if (passwordResponse == null) {
                    return false;
                }
                user = decode(userResponse);
                password = decode(passwordResponse);
            } else {
                return reply(504, "5.5.4 mechanism not supported");
            }
            String[] accepted = config.credentials;
            boolean valid = accepted[0].equals(user) && MessageDigest.isEqual(
                    accepted[1].getBytes(StandardCharsets.UTF_8), password.getBytes(StandardCharsets.UTF_8));
            if (!valid) {
                return reply(535, "5.7.8 authentication credentials invalid");
            }
            authenticated = true;
            return reply(235, "2.7.0 authentication successful");
        }

        /** Sends a 334 challenge and returns the client's answer, or null when the connection ended. */
        private String challenge(String text) throws IOException {
            reply(334, text);
            return readLine();
        }

        private boolean mail(String line) throws IOException {
            resetTransaction();
            envelopeFrom = address(line);
            return respond(Command.MAIL, 250, "2.1.0 Ok");
        }

        private boolean rcpt(String line) throws IOException {
            String address = address(line);
            Action action = config.recipientActions.get(address.toLowerCase(Locale.ROOT));
            if (action == null && config.maxRecipientsPerTransaction > 0
                    && recipients.size() >= config.maxRecipientsPerTransaction) {
                action = Action.reply(452, "4.5.3 too many recipients");
            }
            if (action == null) {
                action = scripted(Command.RCPT);
            }
            if (action == null) {
                action = Action.reply(250, "2.1.5 Ok");
            }
            if (action.kind == Action.Kind.REPLY && action.code / 100 == 2) {
                recipients.add(address);
            }
            return perform(action);
        }

        private boolean data() throws IOException {
            Action action = scripted(Command.DATA);
            if (action == null && recipients.isEmpty()) {
                action = Action.reply(554, "5.5.1 no valid recipients");
            }
            if (action != null && (action.kind != Action.Kind.REPLY || action.code != 354)) {
                return perform(action);
            }
            perform(action != null ? action : Action.reply(354, "End data with <CR><LF>.<CR><LF>"));
            byte[] raw = readData();
            if (raw == null) {
                return false;
            }
            Action end = scripted(Command.DATA_END);
            if (end == null) {
                end = Action.reply(250, "2.0.0 Ok: queued as " + (messages().size() + 1));
            }
            if (end.kind == Action.Kind.REPLY && end.code / 100 == 2) {
                synchronized (messages) {
                    messages.add(new ReceivedMessage(envelopeFrom, recipients, raw));
                }
            }
            resetTransaction();
            return perform(end);
        }

        /** Reads up to the line holding only ".", undoing dot-stuffing; null when the connection ended first. */
        private byte[] readData() throws IOException {
            ByteArrayOutputStream data = new ByteArrayOutputStream();
            String line;
            while ((line = readLine()) != null) {
                if (line.equals(".")) {
                    return data.toByteArray();
                }
                String unstuffed = line.startsWith(".") ? line.substring(1) : line;
                data.writeBytes(unstuffed.getBytes(StandardCharsets.ISO_8859_1));
                data.writeBytes(new byte[] {'\r', '\n'});
            }
            return null;
        }

        private void resetTransaction() {
            envelopeFrom = null;
            recipients.clear();
        }

        /** The scripted action for this command if there is one, else the given default reply. */
        private boolean respond(Command command, int code, String text) throws IOException {
            Action action = scripted(command);
            return perform(action != null ? action : Action.reply(code, text));
        }

        /** Carries out an action; false when the session is over. */
        private boolean perform(Action action) throws IOException {
            switch (action.kind) {
                case REPLY:
                    pause(action.delay);
                    return reply(action.code, action.text);
                case DROP:
                    // the TCP connection itself, so a TLS session ends without close_notify, as when a relay dies
                    plainSocket.close();
                    return false;
                case SILENCE:
                default:
                    // keep reading so every byte the client still sends is recorded, but never answer
                    while (in.read() != -1) {
                        // recorded by the stream
                    }
                    return false;
            }
        }

        private void pause(Duration delay) throws IOException {
            if (delay.isZero()) {
                return;
            }
            try {
                TimeUnit.NANOSECONDS.sleep(delay.toNanos());
            } catch (InterruptedException e) {
                // close() ends the session
                Thread.currentThread().interrupt();
                throw new IOException("server closing", e);
            }
        }

        private boolean reply(int code, String text) throws IOException {
            String[] lines = text.split("\n", -1);
            StringBuilder reply = new StringBuilder();
            for (int i = 0; i < lines.length; i++) {
                reply.append(code).append(i < lines.length - 1 ? '-' : ' ').append(lines[i]).append("\r\n");
            }
            out.write(reply.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            return true;
        }

        /** One line without its line end (CRLF or a bare LF), bytes as ISO-8859-1; null at end of stream. */
        private String readLine() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            try {
                while ((b = in.read()) != -1) {
                    if (b == '\n') {
                        byte[] bytes = line.toByteArray();
                        int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                        return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
                    }
                    line.write(b);
                }
            } catch (SocketException e) {
                // a reset by the client ends the dialogue just like a close
                return null;
            }
            return null;
        }
    }

    private static String verb(String line) {
        int space = line.indexOf(' ');
        return (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
    }

    /** The address between angle brackets of MAIL FROM or RCPT TO. */
    private static String address(String line) {
        int open = line.indexOf('<');
        int close = line.indexOf('>', open + 1);
        if (open < 0 || close < 0) {
            int colon = line.indexOf(':');
            return colon < 0 ? "" : line.substring(colon + 1).trim();
        }
        return line.substring(open + 1, close);
    }

    private static String decode(String base64) {
        try {
            return new String(Base64.getDecoder().decode(base64.trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    /** Copies every byte read into the record, under its lock, so snapshots are consistent. */
    private static final class RecordingInputStream extends InputStream {

        private final InputStream delegate;
        private final ByteArrayOutputStream record;

        RecordingInputStream(InputStream delegate, ByteArrayOutputStream record) {
            this.delegate = delegate;
            this.record = record;
        }

        @Override
        public int read() throws IOException {
            int b = delegate.read();
            if (b != -1) {
                synchronized (record) {
                    record.write(b);
                }
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = delegate.read(buffer, offset, length);
            if (n > 0) {
                synchronized (record) {
                    record.write(buffer, offset, n);
                }
            }
            return n;
        }
    }

    /** From now on accepts only these credentials, as a relay whose password was changed. */
    public void acceptCredentials(String user, String password) {
        if (config.user == null) {
            throw new IllegalStateException("the server was built without AUTH");
        }
        config.credentials = new String[] {Objects.requireNonNull(user, "user"), Objects.requireNonNull(password, "password")};
    }

    /** Configuration: by default no STARTTLS, no AUTH, and every command answered positively. */
    public static final class Builder {

        private SSLContext sslContext;
        private boolean implicitTls;
        private String[] tlsProtocols;
        private String user;
        private volatile String[] credentials;
        private int maxRecipientsPerTransaction;
        private final List<String> extensions = new ArrayList<>(List.of("SIZE 10485760", "8BITMIME"));
        private final Map<Command, Action> actions = new EnumMap<>(Command.class);
        private final Map<String, Action> recipientActions = new HashMap<>();

        private Builder() {
        }

        /** Offers STARTTLS and upgrades with this certificate. */
        public Builder startTls(LocalCertificate certificate) {
            return startTls(certificate.serverSslContext());
        }

        /** Offers STARTTLS and upgrades with this server context, e.g. one holding a certificate chain. */
        public Builder startTls(SSLContext serverContext) {
            this.sslContext = Objects.requireNonNull(serverContext, "serverContext");
            this.implicitTls = false;
            return this;
        }

        /** Speaks TLS from the first byte (SMTPS, port 465 style) with this server context; no STARTTLS. */
        public Builder implicitTls(SSLContext serverContext) {
            this.sslContext = Objects.requireNonNull(serverContext, "serverContext");
            this.implicitTls = true;
            return this;
        }

        /** Limits the TLS versions the server accepts, e.g. "TLSv1.1" for an outdated relay. */
        public Builder tlsProtocols(String... protocols) {
            this.tlsProtocols = protocols.clone();
            return this;
        }

        /** Offers AUTH PLAIN LOGIN (after STARTTLS when that is offered) and accepts only these credentials. */
        public Builder credentials(String user, String password) {
            this.user = Objects.requireNonNull(user, "user");
            this.credentials = new String[] {user, Objects.requireNonNull(password, "password")};
            return this;
        }

        /** The EHLO keywords besides STARTTLS and AUTH, e.g. "SIZE 10485760", "8BITMIME", "SMTPUTF8". */
        public Builder extensions(String... keywords) {
            extensions.clear();
            extensions.addAll(List.of(keywords));
            return this;
        }

        /** Replaces the normal behaviour at this point of the dialogue, on every connection. */
        public Builder on(Command command, Action action) {
            actions.put(command, Objects.requireNonNull(action, "action"));
            return this;
        }

        /** Answers RCPT for this address so; takes precedence over {@code on(RCPT, ...)}. */
        public Builder onRecipient(String address, Action action) {
            recipientActions.put(address.toLowerCase(Locale.ROOT), Objects.requireNonNull(action, "action"));
            return this;
        }

        /**
         * Accepts at most this many recipients per transaction and answers every further RCPT with
         * "452 4.5.3 too many recipients" (RFC 5321 4.5.3.1.10); a recipient scripted with onRecipient keeps its
         * own answer.
         */
        public Builder maxRecipientsPerTransaction(int limit) {
            if (limit < 1) {
                throw new IllegalArgumentException("limit must be positive");
            }
            this.maxRecipientsPerTransaction = limit;
            return this;
        }

        /** Binds a free port on 127.0.0.1 and starts accepting connections. */
        public ScriptedSmtpServer start() {
            try {
                return new ScriptedSmtpServer(this);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
