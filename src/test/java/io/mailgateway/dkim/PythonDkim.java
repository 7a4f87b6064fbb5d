package io.mailgateway.dkim;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Verifies DKIM signatures with python3-dkim (an independent implementation), the public keys handed over as their
 * DNS records instead of looked up.
 */
public final class PythonDkim {

    private final String python;
    private final Path script;

    private PythonDkim(String python, Path script) {
        this.python = python;
        this.script = script;
    }

    /** Fails the test with how to install python3-dkim when it is missing. */
    public static PythonDkim require() {
        Path script;
        try (InputStream in = PythonDkim.class.getResourceAsStream("/dkim/verify.py")) {
            script = Files.createTempFile("verify-dkim", ".py");
            Files.write(script, in.readAllBytes());
            script.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        // The Debian package installs for the system's python3, which a python3 earlier on the PATH may not see.
        for (String python : List.of("python3", "/usr/bin/python3")) {
            if (run(List.of(python, "-c", "import dkim, nacl"), new byte[0]).exitCode == 0) {
                return new PythonDkim(python, script);
            }
        }
        return fail("python3-dkim (with python3-nacl for Ed25519) is needed to verify DKIM signatures independently: "
                + "apt-get install python3-dkim python3-nacl");
    }

    /** One verdict per DKIM-Signature of {@code message}, e.g. "PASS d=example.com s=s1 a=rsa-sha256". */
    public List<String> verify(byte[] message, List<DkimKey> keys) {
        List<String> command = new ArrayList<>(List.of(python, script.toString()));
        for (DkimKey key : keys) {
            command.add(key.dnsName() + "=" + key.dnsRecord());
        }
        Result result = run(command, message);
        if (result.exitCode != 0) {
            fail("python3-dkim failed: " + result.output);
        }
        return result.output.lines().toList();
    }

    private record Result(int exitCode, String output) {
    }

    private static Result run(List<String> command, byte[] input) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            try (OutputStream in = process.getOutputStream()) {
                in.write(input);
            } catch (IOException closedEarly) {
                // A failing interpreter may exit before reading; its output says why.
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Result(-1, "timed out");
            }
            return new Result(process.exitValue(), output);
        } catch (IOException e) {
            return new Result(-1, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }
}
