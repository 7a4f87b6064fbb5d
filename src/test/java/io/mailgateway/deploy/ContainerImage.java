package io.mailgateway.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** A container image from a {@code docker save} / Jib tar, unpacked into a root file system the way a runtime does. */
final class ContainerImage {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WHITEOUT = ".wh.";
    private static final String OPAQUE = ".wh..wh..opq";

    private final JsonNode config;
    private final Path rootfs;
    private final List<Long> layerSizes;

    private ContainerImage(JsonNode config, Path rootfs, List<Long> layerSizes) {
        this.config = config;
        this.rootfs = rootfs;
        this.layerSizes = layerSizes;
    }

    /** Unpacks the image tar into {@code dir/image} and its layers, in order, into {@code dir/rootfs}. */
    static ContainerImage unpack(Path imageTar, Path dir) throws IOException {
        Path image = Files.createDirectories(dir.resolve("image"));
        Path rootfs = Files.createDirectories(dir.resolve("rootfs"));
        run("tar", "-xf", imageTar.toString(), "-C", image.toString());
        JsonNode manifest = JSON.readTree(image.resolve("manifest.json").toFile()).get(0);
        JsonNode config = JSON.readTree(image.resolve(manifest.get("Config").asText()).toFile());
        List<Long> layerSizes = new ArrayList<>();
        for (JsonNode layer : manifest.get("Layers")) {
            Path file = image.resolve(layer.asText());
            layerSizes.add(Files.size(file));
            applyWhiteouts(file, rootfs);
            // --numeric-owner: the image's uids, not whatever names this host maps them to
            run("tar", "--numeric-owner", "--exclude=" + WHITEOUT + "*", "-xf", file.toString(), "-C", rootfs.toString());
        }
        return new ContainerImage(config, rootfs, List.copyOf(layerSizes));
    }

    /** Deletions recorded by a layer (OCI whiteouts) apply to the layers below it, so they go before extracting it. */
    private static void applyWhiteouts(Path layer, Path rootfs) throws IOException {
        for (String entry : run("tar", "-tf", layer.toString())) {
            Path path = Path.of(entry.startsWith("./") ? entry.substring(2) : entry);
            if (path.getFileName() == null || !path.getFileName().toString().startsWith(WHITEOUT)) {
                continue;
            }
            Path parent = rootfs.resolve(path.getParent() == null ? Path.of("") : path.getParent()).normalize();
            if (path.getFileName().toString().equals(OPAQUE)) {
                if (Files.isDirectory(parent)) {
                    try (Stream<Path> children = Files.list(parent)) {
                        for (Path child : children.toList()) {
                            deleteRecursively(child);
                        }
                    }
                }
            } else {
                deleteRecursively(parent.resolve(path.getFileName().toString().substring(WHITEOUT.length())));
            }
        }
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    Path rootfs() {
        return rootfs;
    }

    /** Sizes of the (compressed) layer blobs, base image first: what a registry stores and a node pulls. */
    List<Long> layerSizes() {
        return layerSizes;
    }

    /** Bytes of all regular files in the unpacked root file system. */
    long unpackedBytes() throws IOException {
        try (Stream<Path> walk = Files.walk(rootfs)) {
            return walk.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        }
    }

    List<String> entrypointAndCmd() {
        List<String> args = new ArrayList<>();
        config.path("config").path("Entrypoint").forEach(a -> args.add(a.asText()));
        config.path("config").path("Cmd").forEach(a -> args.add(a.asText()));
        return args;
    }

    List<String> env() {
        List<String> env = new ArrayList<>();
        config.path("config").path("Env").forEach(e -> env.add(e.asText()));
        return env;
    }

    /** The image's USER, e.g. {@code 10001:10001}. */
    String user() {
        return config.path("config").path("User").asText("");
    }

    String workingDir() {
        return config.path("config").path("WorkingDir").asText("/");
    }

    List<String> exposedPorts() {
        List<String> ports = new ArrayList<>();
        config.path("config").path("ExposedPorts").fieldNames().forEachRemaining(ports::add);
        return ports;
    }

    private static List<String> run(String... command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        try {
            if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        }
        return output.lines().toList();
    }
}
