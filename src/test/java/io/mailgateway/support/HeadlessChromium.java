package io.mailgateway.support;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.imageio.ImageIO;

/**
 * A real browser for tests: Debian's {@code chromium} in headless mode, one process per page, which prints a
 * page's DOM after it loaded or takes a screenshot of it.
 */
public final class HeadlessChromium {

    public static final Path EXECUTABLE = Path.of("/usr/bin/chromium");
    public static final int WIDTH = 1280;
    public static final int HEIGHT = 1400;

    private static final long TIMEOUT_SECONDS = 60;

    private final Path work;
    private final AtomicInteger runs = new AtomicInteger();

    /**
     * @param work a folder for the browser's profiles and screenshots
     * @throws AssertionError when chromium is not installed: tests that need a browser fail, they do not skip
     */
    public HeadlessChromium(Path work) {
        if (!Files.isExecutable(EXECUTABLE)) {
            throw new AssertionError(EXECUTABLE + " is missing: these tests drive a real headless browser. Install it"
                    + " with: apt-get install chromium");
        }
        this.work = work;
    }

    /** The page's DOM, serialised after the page loaded. */
    public String dumpDom(URI url) {
        Path run = nextRun();
        Path out = run.resolve("dom.html");
        execute(run, out, List.of("--dump-dom", url.toString()));
        try {
            return Files.readString(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A screenshot of the page's first {@value #WIDTH} x {@value #HEIGHT} pixels, also kept as the given file. */
    public BufferedImage screenshot(URI url, Path png) {
        Path run = nextRun();
        execute(run, run.resolve("stdout.txt"), List.of("--screenshot=" + png.toAbsolutePath(), url.toString()));
        try {
            BufferedImage image = ImageIO.read(png.toFile());
            if (image == null) {
                throw new AssertionError("chromium wrote no readable PNG to " + png);
            }
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How many pixels of the image have exactly this colour (0xRRGGBB). */
    public static long pixelsOf(BufferedImage image, int rgb) {
        long count = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xFFFFFF) == rgb) {
                    count++;
                }
            }
        }
        return count;
    }

    private Path nextRun() {
        try {
            return Files.createDirectories(work.resolve("chromium-" + runs.incrementAndGet()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void execute(Path run, Path stdout, List<String> action) {
        List<String> command = new ArrayList<>(List.of(EXECUTABLE.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--user-data-dir=" + run.resolve("profile"),
                "--window-size=" + WIDTH + "," + HEIGHT,
                // --screenshot captures as soon as the page has loaded; a sandboxed frame (the mail's HTML) in a
                // process of its own has then not always painted yet. In the page's process it always has.
                "--disable-features=IsolateSandboxedIframes"));
        command.addAll(action);
        Path stderr = run.resolve("stderr.txt");
        try {
            Process process = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile())
                    .start();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new AssertionError("chromium did not finish within " + TIMEOUT_SECONDS + " s: " + action
                        + "\n" + tail(stderr));
            }
            if (process.exitValue() != 0) {
                throw new AssertionError("chromium exited with " + process.exitValue() + ": " + action + "\n"
                        + tail(stderr));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no output)";
        }
    }
}
