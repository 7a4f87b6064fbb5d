package io.mailgateway.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An image run by runc the way Kubernetes' restricted profile runs a pod: as the image's own user, read-only root,
 * no capabilities, no privilege escalation, a writable /tmp, a memory limit; in the host's network namespace so
 * it reaches servers on loopback.
 */
final class RuncContainer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String id;
    private final Path stateDir;
    private final Process process;
    private final Path log;

    private RuncContainer(String id, Path stateDir, Process process, Path log) {
        this.id = id;
        this.stateDir = stateDir;
        this.process = process;
        this.log = log;
    }

    /** A read-only bind mount of a host file or folder. */
    record Bind(Path source, String destination) {
    }

    /** Writes {@code bundle/config.json} for the unpacked image and starts it with {@code runc run}. */
    static RuncContainer start(ContainerImage image, Path bundle, Path stateDir, String id, Map<String, String> env,
            List<Bind> binds, long memoryLimitBytes) throws IOException {
        Files.createDirectories(stateDir);
        Files.writeString(bundle.resolve("config.json"),
                JSON.writerWithDefaultPrettyPrinter().writeValueAsString(spec(image, env, binds, memoryLimitBytes)));
        Path log = bundle.resolve("container.log");
        Process process = new ProcessBuilder("runc", "--root", stateDir.toString(), "run", "--bundle", bundle.toString(), id)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        return new RuncContainer(id, stateDir, process, log);
    }

    private static ObjectNode spec(ContainerImage image, Map<String, String> env, List<Bind> binds, long memoryLimit) {
        String[] user = image.user().split(":");
        ObjectNode spec = JSON.createObjectNode().put("ociVersion", "1.0.2").put("hostname", "mail-gateway");

        ObjectNode process = spec.putObject("process").put("terminal", false).put("cwd", image.workingDir())
                .put("noNewPrivileges", true);
        process.putObject("user").put("uid", Long.parseLong(user[0]))
                .put("gid", Long.parseLong(user.length > 1 ? user[1] : user[0]));
        ArrayNode args = process.putArray("args");
        image.entrypointAndCmd().forEach(args::add);
        ArrayNode environment = process.putArray("env");
        image.env().forEach(environment::add);
        env.forEach((name, value) -> environment.add(name + "=" + value));
        // capabilities: drop ALL
        ObjectNode capabilities = process.putObject("capabilities");
        for (String set : List.of("bounding", "effective", "inheritable", "permitted", "ambient")) {
            capabilities.putArray(set);
        }

        spec.putObject("root").put("path", image.rootfs().toString()).put("readonly", true);

        ArrayNode mounts = spec.putArray("mounts");
        mount(mounts, "/proc", "proc", "proc");
        mount(mounts, "/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k");
        mount(mounts, "/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620");
        mount(mounts, "/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777", "size=65536k");
        mount(mounts, "/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev");
        mount(mounts, "/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", "ro");
        // the JVM reads its memory limit from the cgroup file system
        mount(mounts, "/sys/fs/cgroup", "cgroup", "cgroup", "nosuid", "noexec", "nodev", "relatime", "ro");
        // the only writable place, like the emptyDir the Deployment mounts at /tmp
        mount(mounts, "/tmp", "tmpfs", "tmpfs", "nosuid", "nodev", "mode=1777", "size=262144k");
        for (Bind bind : binds) {
            mount(mounts, bind.destination(), "bind", bind.source().toString(), "rbind", "ro");
        }

        ObjectNode linux = spec.putObject("linux");
        ArrayNode namespaces = linux.putArray("namespaces");
        // no network namespace: the container shares the host's, where Kafka and SMTP listen on loopback
        for (String namespace : List.of("pid", "ipc", "uts", "mount")) {
            namespaces.addObject().put("type", namespace);
        }
        ObjectNode resources = linux.putObject("resources");
        resources.putArray("devices").addObject().put("allow", false).put("access", "rwm");
        // swap = limit: memory and swap together may not exceed the limit, as on a Kubernetes node without swap
        resources.putObject("memory").put("limit", memoryLimit).put("swap", memoryLimit);
        ArrayNode masked = linux.putArray("maskedPaths");
        List.of("/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
                "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware").forEach(masked::add);
        ArrayNode readonly = linux.putArray("readonlyPaths");
        List.of("/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger")
                .forEach(readonly::add);
        return spec;
    }

    private static void mount(ArrayNode mounts, String destination, String type, String source, String... options) {
        ObjectNode mount = mounts.addObject().put("destination", destination).put("type", type).put("source", source);
        if (options.length > 0) {
            ArrayNode list = mount.putArray("options");
            for (String option : options) {
                list.add(option);
            }
        }
    }

    boolean isRunning() {
        return process.isAlive();
    }

    /** The host pid of the container's first process (the JVM: the image's entrypoint runs java directly). */
    long pid() throws IOException {
        JsonNode state = JSON.readTree(runc("state", id));
        return state.get("pid").asLong();
    }

    /** What the container's memory cgroup recorded: its peak usage and how often the kernel's OOM killer struck. */
    record MemoryUsage(long limitBytes, long peakBytes, long oomKills) {
    }

    /**
     * Reads the container's memory cgroup on the host (cgroup v2, or v1's memory controller), while it runs: runc
     * removes the cgroup with the container.
     */
    MemoryUsage memoryUsage() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid()), "cgroup"))) {
            String[] parts = line.split(":", 3);
            if (parts[0].equals("0") && parts[1].isEmpty()) {
                Path cgroup = Path.of("/sys/fs/cgroup" + parts[2]);
                if (Files.exists(cgroup.resolve("memory.peak"))) {
                    return new MemoryUsage(number(cgroup.resolve("memory.max")), number(cgroup.resolve("memory.peak")),
                            field(cgroup.resolve("memory.events"), "oom_kill"));
                }
            } else if (List.of(parts[1].split(",")).contains("memory")) {
                Path cgroup = Path.of("/sys/fs/cgroup/memory" + parts[2]);
                return new MemoryUsage(number(cgroup.resolve("memory.limit_in_bytes")),
                        number(cgroup.resolve("memory.max_usage_in_bytes")),
                        field(cgroup.resolve("memory.oom_control"), "oom_kill"));
            }
        }
        throw new IOException("no memory cgroup for the container");
    }

    private static long number(Path file) throws IOException {
        String value = Files.readString(file).trim();
        return value.equals("max") ? Long.MAX_VALUE : Long.parseLong(value);
    }

    /** A {@code name value} line of a cgroup statistics file. */
    private static long field(Path file, String name) throws IOException {
        return Files.readAllLines(file).stream()
                .map(line -> line.split(" "))
                .filter(words -> words.length == 2 && words[0].equals(name))
                .mapToLong(words -> Long.parseLong(words[1]))
                .findFirst()
                .orElseThrow(() -> new IOException(file + " has no " + name));
    }

    /** The JVM's peak resident set (VmHWM), read while it runs. */
    long peakResidentBytes() throws IOException {
        return Files.readAllLines(Path.of("/proc", String.valueOf(pid()), "status")).stream()
                .filter(line -> line.startsWith("VmHWM:"))
                .map(line -> line.split("\\s+"))
                .mapToLong(words -> Long.parseLong(words[1]) * 1024)
                .findFirst()
                .orElseThrow(() -> new IOException("no VmHWM for the container's process"));
    }

    /** Sends SIGTERM, as the kubelet does, and waits for the container to exit; returns its exit code. */
    int stop(Duration timeout) throws IOException, InterruptedException {
        runc("kill", id, "TERM");
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            runc("kill", id, "KILL");
            process.waitFor(30, TimeUnit.SECONDS);
            throw new IllegalStateException("the container did not stop within " + timeout.toSeconds() + " s of SIGTERM");
        }
        return process.exitValue();
    }

    String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    private String runc(String... arguments) throws IOException {
        List<String> command = new ArrayList<>(List.of("runc", "--root", stateDir.toString()));
        command.addAll(List.of(arguments));
        Process runc = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(runc.getInputStream().readAllBytes());
        try {
            if (!runc.waitFor(60, TimeUnit.SECONDS) || runc.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + command, e);
        }
        return output;
    }

    @Override
    public void close() {
        try {
            runc("delete", "--force", id);
        } catch (IOException e) {
            // already gone: runc run removes a container that exited on its own
        }
        process.destroyForcibly();
    }
}
