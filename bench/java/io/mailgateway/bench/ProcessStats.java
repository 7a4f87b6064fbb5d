package io.mailgateway.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** CPU time and resident memory of a process, read from Linux's /proc. */
final class ProcessStats {

    /** Clock ticks per second of /proc/PID/stat's times: 100 on every common Linux build (USER_HZ). */
    private static final double TICKS_PER_SECOND = 100.0;
    /** "total 262144K, used 35321K" in a heap line of GC.heap_info; metaspace lines read "used ..., committed". */
    private static final Pattern HEAP_USED = Pattern.compile("total \\d+K, used (\\d+)K");

    private ProcessStats() {
    }

    /** User plus system CPU seconds the process has used so far, all its threads included. */
    static double cpuSeconds(long pid) {
        String stat = read(Path.of("/proc", String.valueOf(pid), "stat"));
        // the command name (field 2) may hold spaces; the fields after its closing parenthesis do not
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        return ticks / TICKS_PER_SECOND;
    }

    /** Resident set size now (VmRSS) in bytes. */
    static long residentBytes(long pid) {
        for (String line : read(Path.of("/proc", String.valueOf(pid), "status")).split("\n")) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS for process " + pid);
    }

    /**
     * The live heap: heap in use right after a full collection, as the JVM's own {@code jcmd} reports it (the sum of
     * "used" over the heap's spaces: one line for G1, one per generation for the other collectors). Without the
     * collection the number would mostly tell how much garbage the collector had not yet bothered to collect. It
     * costs the process CPU time, so read CPU first.
     */
    static long liveHeapBytes(long pid) throws IOException, InterruptedException {
        jcmd(pid, "GC.run");
        String output = jcmd(pid, "GC.heap_info");
        long usedKb = 0;
        Matcher used = HEAP_USED.matcher(output);
        while (used.find()) {
            usedKb += Long.parseLong(used.group(1));
        }
        if (usedKb == 0) {
            throw new IllegalStateException("no heap usage in jcmd's output: " + output);
        }
        return usedKb * 1024;
    }

    static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(pid), command).redirectErrorStream(true).start();
        String output = new String(jcmd.getInputStream().readAllBytes());
        if (!jcmd.waitFor(30, TimeUnit.SECONDS) || jcmd.exitValue() != 0) {
            throw new IllegalStateException("jcmd " + pid + " " + command + " failed: " + output);
        }
        return output;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + " (has the process exited?)", e);
        }
    }
}
