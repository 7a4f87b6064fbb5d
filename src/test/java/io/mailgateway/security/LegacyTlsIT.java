package io.mailgateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS 1.0 and 1.1 are refused by the gateway itself, not only by the JDK's defaults: in a JVM whose security settings
 * allow them on both ends, a relay speaking only those versions still gets no credentials and no mail.
 */
class LegacyTlsIT {

    // The JDK 17 default minus TLSv1 and TLSv1.1, so nothing but the gateway's own setting stands in the way.
    private static final String PERMISSIVE_SECURITY = "jdk.tls.disabledAlgorithms=SSLv3, RC4, DES, MD5withRSA, "
            + "DH keySize < 1024, EC keySize < 224, 3DES_EDE_CBC, anon, NULL\n";

    @Test
    void relaySpeakingOnlyTls10Or11IsRefusedEvenWhereTheJvmAllowsThem(@TempDir Path dir) throws Exception {
        Path security = Files.writeString(dir.resolve("legacy-tls.security"), PERMISSIVE_SECURITY);

        List<String> results = runProbe(dir, security, "TLSv1", "TLSv1.1");

        assertThat(results).containsExactly(
                // control: a plain JDK client negotiates the legacy version with this relay in this JVM
                "RESULT TLSv1 control=TLSv1 gateway=tls-failed gatewayHandshakes=0 passwordSent=false messages=0",
                "RESULT TLSv1.1 control=TLSv1.1 gateway=tls-failed gatewayHandshakes=0 passwordSent=false messages=0");
    }

    private static List<String> runProbe(Path dir, Path security, String... protocols) throws IOException, InterruptedException {
        Path output = dir.resolve("probe.log");
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.security.properties=" + security,
                "-cp", System.getProperty("java.class.path"),
                LegacyTlsProbe.class.getName()));
        command.addAll(List.of(protocols));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("the probe did not finish:\n" + Files.readString(output));
        }
        String text = Files.readString(output);
        assertThat(process.exitValue()).as(text).isZero();
        return text.lines().filter(line -> line.startsWith("RESULT ")).toList();
    }
}
