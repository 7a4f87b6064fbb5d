package io.mailgateway.background;

import java.time.Duration;
import java.util.concurrent.ExecutorService;

import org.apache.camel.spi.ExecutorServiceManager;
import org.slf4j.Logger;

/**
 * Runs a piece of background work on a thread of Camel's (which Camel names, tracks, and ends with the gateway at
 * the latest) and starts it again after any failure, waiting a {@link RestartBackoff} in between, until it is
 * stopped: a fault that outlasts one attempt (a broker still down, a record that cannot be handled) never ends the
 * work for good. The work reports progress through {@link #healthy()}, which ends a run of failures, and
 * {@link #failure()} says what went wrong meanwhile.
 */
public final class SupervisedThread {

    /** The work: runs until it fails or {@link SupervisedThread#stopping()} becomes true. */
    @FunctionalInterface
    public interface Work {
        void run() throws Exception;
    }

    private final String name;
    private final Logger log;
    private final RestartBackoff backoff;
    private final Work work;
    private final Runnable onStop;
    private final Object pause = new Object();

    private volatile boolean running;
    private volatile String failure;
    private volatile int failures;
    private ExecutorServiceManager executors;
    private ExecutorService thread;

    /**
     * @param name   the thread's name, and what logs call the work
     * @param onStop wakes the work when it is to stop (e.g. a Kafka consumer's wakeup); called from the stopping
     *               thread
     */
    public SupervisedThread(String name, Logger log, RestartBackoff backoff, Work work, Runnable onStop) {
        this.name = name;
        this.log = log;
        this.backoff = backoff;
        this.work = work;
        this.onStop = onStop;
    }

    /**
     * Starts the work on a thread of {@code executors}; false if it runs already (Camel may start a service both as a
     * bean and as a service).
     */
    public synchronized boolean start(ExecutorServiceManager executors) {
        if (running) {
            return false;
        }
        running = true;
        this.executors = executors;
        thread = executors.newSingleThreadExecutor(this, name);
        thread.execute(this::supervise);
        return true;
    }

    /**
     * Stops the work and waits up to {@code wait} for it to end, then interrupts it and waits as long again; false if
     * it was not running.
     */
    public boolean stop(Duration wait) {
        ExecutorService running;
        ExecutorServiceManager manager;
        synchronized (this) {
            if (!this.running) {
                return false;
            }
            this.running = false;
            running = thread;
            manager = executors;
        }
        onStop.run();
        synchronized (pause) {
            pause.notifyAll();
        }
        manager.shutdownGraceful(running, wait.toMillis());
        return true;
    }

    /** Whether the work is to end: checked by the work between steps. */
    public boolean stopping() {
        return !running;
    }

    /** Whether the work was started and not stopped (it may be waiting to start again after a failure). */
    public boolean started() {
        return running;
    }

    /** Called by the work when it made progress: the next failure waits the shortest backoff again. */
    public void healthy() {
        failures = 0;
        failure = null;
    }

    /** What the last failure was, while no progress followed it; null while the work is healthy. */
    public String failure() {
        return failure;
    }

    /** Waits up to {@code wait}, or less when the work is stopped; for work that polls for a condition. */
    public void pause(Duration wait) throws InterruptedException {
        synchronized (pause) {
            if (running) {
                pause.wait(Math.max(1, wait.toMillis()));
            }
        }
    }

    private void supervise() {
        while (running) {
            try {
                work.run();
                if (running) {
                    throw new IllegalStateException("ended without being stopped");
                }
            } catch (Throwable e) {
                if (!running) {
                    // Stopping wakes the work with an exception of its own (e.g. Kafka's WakeupException).
                    return;
                }
                int inARow = ++failures;
                Duration wait = backoff.delay(inARow);
                failure = describe(e);
                if (inARow == 1) {
                    log.error("The {} failed; it starts again in {} ms", name, wait.toMillis(), e);
                } else {
                    log.warn("The {} failed again ({} times in a row): {}; it starts again in {} ms", name, inARow,
                            failure, wait.toMillis());
                }
                try {
                    pause(wait);
                } catch (InterruptedException interrupted) {
                    // Only stop() may end the work, and it says so before it interrupts: go on until it does.
                    Thread.interrupted();
                }
            }
        }
    }

    /** The exception's type and message, and those of its root cause: enough for a health check to name the fault. */
    public static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        if (root != e) {
            text += " (caused by " + root.getClass().getSimpleName()
                    + (root.getMessage() == null ? "" : ": " + root.getMessage()) + ")";
        }
        return text;
    }
}
