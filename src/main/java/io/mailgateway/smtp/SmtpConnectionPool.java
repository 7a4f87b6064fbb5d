package io.mailgateway.smtp;

import java.time.Duration;
import java.util.List;
import java.util.NoSuchElementException;

import jakarta.mail.MessagingException;

import org.apache.commons.pool2.BasePooledObjectFactory;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.apache.commons.pool2.impl.GenericObjectPool;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/**
 * Connected, authenticated SMTP sessions with one relay, reused across messages: a new connection costs a TCP
 * and TLS handshake, EHLO twice and AUTH, which is most of the time a message takes. A connection goes back to
 * the pool only after a clean transaction and a successful RSET; any error discards it.
 */
final class SmtpConnectionPool implements AutoCloseable {

    /** Opens a connection exactly as a single submission would: TLS, EHLO, AUTH and the gateway's checks. */
    interface Connector {
        SMTPTransport open() throws SmtpSubmissionException;
    }

    /** A pooled session and how many messages it carried. */
    static final class Connection {
        private final SMTPTransport transport;
        private int messages;
        private boolean reusable = true;

        private Connection(SMTPTransport transport) {
            this.transport = transport;
        }

        SMTPTransport transport() {
            return transport;
        }

        /** Whether this connection carried a message before, so the relay may have closed it meanwhile. */
        boolean reused() {
            return messages > 0;
        }
    }

    private final GenericObjectPool<Connection> pool;
    private final SmtpPoolSettings settings;

    SmtpConnectionPool(Connector connector, SmtpPoolSettings settings, Duration borrowTimeout) {
        this.settings = settings;
        GenericObjectPoolConfig<Connection> config = new GenericObjectPoolConfig<>();
        config.setMaxTotal(settings.size());
        config.setMaxIdle(settings.size());
        config.setMinIdle(0);
        config.setBlockWhenExhausted(true);
        config.setMaxWait(borrowTimeout);
        // The most recently used connection first: it is the least likely to have been closed by the relay.
        config.setLifo(true);
        config.setTestWhileIdle(true);
        config.setMinEvictableIdleDuration(settings.maxIdle());
        config.setTimeBetweenEvictionRuns(evictionInterval(settings.maxIdle()));
        config.setNumTestsPerEvictionRun(settings.size());
        config.setJmxEnabled(false);
        this.pool = new GenericObjectPool<>(new Factory(connector), config);
    }

    private static Duration evictionInterval(Duration maxIdle) {
        Duration half = maxIdle.dividedBy(2);
        return half.compareTo(Duration.ofMillis(100)) < 0 ? Duration.ofMillis(100) : half;
    }

    /** A connection for one message, waiting while all are in use; opens a new one when none is idle. */
    Connection borrow() throws SmtpSubmissionException {
        try {
            return pool.borrowObject();
        } catch (SmtpSubmissionException e) {
            throw e;
        } catch (NoSuchElementException e) {
            throw new SmtpTransientException("every connection to the relay is busy", null, List.of(), null);
        } catch (Exception e) {
            throw new SmtpTransientException("cannot open a connection to the relay: " + e.getClass().getSimpleName(),
                    null, List.of(), null);
        }
    }

    /** After a completed transaction: reused by a later message, unless it carried its share of messages. */
    void giveBack(Connection connection) {
        connection.messages++;
        connection.reusable = connection.messages < settings.maxMessagesPerConnection();
        pool.returnObject(connection);
    }

    /** After any error: the session's state is unknown, so it is closed and never reused. */
    void discard(Connection connection) {
        // Returned rather than invalidated: invalidating makes the pool open a replacement at once, even while
        // the relay is failing.
        connection.reusable = false;
        pool.returnObject(connection);
    }

    /** Closes every idle connection, e.g. when one of them turned out to be closed by the relay. */
    void discardIdle() {
        pool.clear();
    }

    int open() {
        return pool.getNumActive() + pool.getNumIdle();
    }

    int busy() {
        return pool.getNumActive();
    }

    int idle() {
        return pool.getNumIdle();
    }

    long created() {
        return pool.getCreatedCount();
    }

    long destroyed() {
        return pool.getDestroyedCount();
    }

    /** Closes the idle connections now and every busy one as soon as its message is done. */
    @Override
    public void close() {
        pool.close();
    }

    private static final class Factory extends BasePooledObjectFactory<Connection> {
        private final Connector connector;

        Factory(Connector connector) {
            this.connector = connector;
        }

        @Override
        public Connection create() throws SmtpSubmissionException {
            return new Connection(connector.open());
        }

        @Override
        public PooledObject<Connection> wrap(Connection connection) {
            return new DefaultPooledObject<>(connection);
        }

        /** Idle connections are checked with NOOP (Angus's isConnected sends one). */
        @Override
        public boolean validateObject(PooledObject<Connection> pooled) {
            return pooled.getObject().transport.isConnected();
        }

        /**
         * A clean state for the next message; a relay that does not answer RSET loses the connection. Failing here
         * is how the pool is told to close a connection given back (see discard).
         */
        @Override
        public void passivateObject(PooledObject<Connection> pooled) throws MessagingException {
            Connection connection = pooled.getObject();
            if (!connection.reusable) {
                throw new MessagingException("connection retired");
            }
            connection.transport.issueCommand("RSET", 250);
        }

        @Override
        public void destroyObject(PooledObject<Connection> pooled) {
            try {
                pooled.getObject().transport.close();
            } catch (MessagingException | RuntimeException ignored) {
                // QUIT failing leaves nothing to clean up
            }
        }
    }
}
