package io.mailgateway.local;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Main class of the broker child process: runs {@code kafka.Kafka} and exits when the parent process goes away.
 *
 * <p>The parent keeps the child's stdin open and never writes to it. When the parent dies, even by SIGKILL where no
 * shutdown hook runs, the operating system closes that pipe, the read below ends, and the broker stops with it.
 */
public final class KafkaBrokerProcess {

    private KafkaBrokerProcess() {
    }

    public static void main(String[] args) throws Exception {
        Thread watchdog = new Thread(KafkaBrokerProcess::exitWhenParentGone, "parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        kafka.Kafka.main(args);
    }

    private static void exitWhenParentGone() {
        try {
            while (System.in.read() != -1) {
                // the parent never writes; anything read is ignored
            }
        } catch (IOException e) {
            // a broken pipe means the same as end of stream
        }
        Thread reaper = new Thread(() -> {
            try {
                TimeUnit.SECONDS.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            // the orderly shutdown hung; nobody is waiting for this broker anyway
            Runtime.getRuntime().halt(1);
        }, "parent-watchdog-halt");
        reaper.setDaemon(true);
        reaper.start();
        System.exit(0);
    }
}
