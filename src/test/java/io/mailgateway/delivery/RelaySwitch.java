package io.mailgateway.delivery;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.mailgateway.support.ScriptedSmtpServer;

/**
 * The relay address the gateway is configured with, on a fixed port: a TCP pass-through to whichever SMTP server the
 * test routes to, so one gateway can meet a relay that misbehaves first and recovers later. It can also go down
 * (nothing listens on the port: connections are refused) and come back on the same port, and cut a connection
 * abruptly once the client has sent a number of bytes, e.g. in the middle of a large message. TLS runs end to end
 * between the gateway and the server behind the switch.
 */
public final class RelaySwitch implements AutoCloseable {

    private static final InetAddress LOOPBACK = loopback();

    private final int port;
    private final ExecutorService threads;
    private final Set<Socket> open = new HashSet<>();
    private final AtomicInteger connections = new AtomicInteger();
    private ServerSocket listener;
    private volatile Route route;
    private boolean closed;

    private record Route(int port, long cutAfterClientBytes) {
    }

    private RelaySwitch() throws IOException {
        AtomicInteger threadNumber = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "relay-switch-" + threadNumber.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.listener = listen(0);
        this.port = listener.getLocalPort();
        accept(listener);
    }

    /** Listens on a free port of 127.0.0.1; connections are refused by the far side until {@link #routeTo} is called. */
    public static RelaySwitch start() {
        try {
            return new RelaySwitch();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }

    /** Connections accepted so far. */
    public int connections() {
        return connections.get();
    }

    /** New connections go to this server; connections that are open now are cut, as when a relay restarts. */
    public void routeTo(ScriptedSmtpServer server) {
        routeTo(server, Long.MAX_VALUE);
    }

    /**
     * New connections go to this server, and each is cut (TCP reset, both sides) as soon as the client has sent more
     * than {@code cutAfterClientBytes} bytes; connections that are open now are cut.
     */
    public void routeTo(ScriptedSmtpServer server, long cutAfterClientBytes) {
        route = new Route(server.port(), cutAfterClientBytes);
        cutAll();
    }

    /** Stops listening and cuts every open connection: from now on connections to the port are refused. */
    public synchronized void down() {
        if (listener != null) {
            closeQuietly(listener);
            listener = null;
        }
        cutAll();
    }

    /** Listens on the same port again. */
    public synchronized void up() {
        if (closed || listener != null) {
            return;
        }
        try {
            listener = listen(port);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on port " + port + " again", e);
        }
        accept(listener);
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        down();
        threads.shutdownNow();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ServerSocket listen(int port) throws IOException {
        ServerSocket socket = new ServerSocket();
        // the port was in use a moment ago; its old connections may linger in TIME_WAIT
        socket.setReuseAddress(true);
        // A small window (inherited by accepted connections): a client cannot have a large message buffered on its
        // way when the connection is cut, so a cut in the middle of the message is one for the client too.
        socket.setReceiveBufferSize(16 * 1024);
        socket.bind(new InetSocketAddress(LOOPBACK, port), 50);
        return socket;
    }

    private void accept(ServerSocket socket) {
        threads.execute(() -> {
            while (true) {
                Socket client;
                try {
                    client = socket.accept();
                } catch (IOException e) {
                    // down() or close() closed the listener
                    return;
                }
                connections.incrementAndGet();
                threads.execute(() -> connect(client));
            }
        });
    }

    private void connect(Socket client) {
        Route current = route;
        Socket server = new Socket();
        if (!register(client) || !register(server) || current == null) {
            cut(client, server);
            return;
        }
        try {
            client.setTcpNoDelay(true);
            server.setTcpNoDelay(true);
            server.connect(new InetSocketAddress(LOOPBACK, current.port()), 5_000);
        } catch (IOException e) {
            // the server behind the switch is gone: the client sees the connection end without a greeting
            cut(client, server);
            return;
        }
        threads.execute(() -> pump(server, client, Long.MAX_VALUE));
        pump(client, server, current.cutAfterClientBytes());
    }

    /**
     * Copies bytes from one side to the other until either side ends the connection, which then ends the other one
     * too; resets both once more than {@code limit} bytes would have been copied.
     */
    private void pump(Socket from, Socket to, long limit) {
        byte[] buffer = new byte[16 * 1024];
        long copied = 0;
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buffer)) != -1) {
                if (copied + n > limit) {
                    out.write(buffer, 0, (int) (limit - copied));
                    out.flush();
                    cut(from, to);
                    return;
                }
                out.write(buffer, 0, n);
                out.flush();
                copied += n;
            }
        } catch (IOException e) {
            // one side went away or was cut
        }
        end(from, to);
    }

    /** Closes both sides in order: what was already passed on still reaches the other side. */
    private void end(Socket... sockets) {
        for (Socket socket : sockets) {
            closeQuietly(socket);
            synchronized (this) {
                open.remove(socket);
            }
        }
    }

    private synchronized boolean register(Socket socket) {
        if (closed) {
            return false;
        }
        open.add(socket);
        return true;
    }

    private void cutAll() {
        Set<Socket> sockets;
        synchronized (this) {
            sockets = new HashSet<>(open);
        }
        sockets.forEach(this::cut);
    }

    /** Resets the connections: no orderly close, as when a relay or a network path dies. */
    private void cut(Socket... sockets) {
        for (Socket socket : sockets) {
            try {
                if (!socket.isClosed()) {
                    socket.setSoLinger(true, 0);
                }
            } catch (IOException e) {
                // closing below is what matters
            }
            closeQuietly(socket);
            synchronized (this) {
                open.remove(socket);
            }
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // nothing left to release
        }
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByName(ScriptedSmtpServer.HOST);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
