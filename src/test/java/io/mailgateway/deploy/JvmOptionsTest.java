package io.mailgateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The JIT settings in src/main/jvm/jvm.options are read by a JVM as they are, and both images start the gateway with
 * them: the Dockerfile and the Jib profile copy the file to /app/jvm.options and name it in their start command. The
 * JDK's cryptography keeps the JVM's usual compile thresholds, by compile commands the JVM applies.
 */
class JvmOptionsTest {

    private static final Path OPTIONS = Path.of("src/main/jvm/jvm.options");
    private static final String IMAGE_FLAG = "-XX:VMOptionsFile=/app/jvm.options";
    private static final String COMPILE_COMMAND = "-XX:CompileCommand=";

    @Test
    void aJvmStartsWithTheOptionsAndTakesEveryOne() throws IOException, InterruptedException {
        List<String> options = Files.readAllLines(OPTIONS).stream().filter(line -> !line.isBlank()).toList();
        // A JVM options file has no comments: the reasons stand in the README.
        assertThat(options).isNotEmpty().allMatch(option -> option.startsWith("-XX:"));

        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:VMOptionsFile=" + OPTIONS.toAbsolutePath(), "-XX:+PrintFlagsFinal", "-version"));
        Process java = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(java.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(java.exitValue()).as(output).isZero();
        for (String option : options) {
            if (option.startsWith(COMPILE_COMMAND)) {
                // a list, whose entries the JVM echoes (below)
                continue;
            }
            String[] flag = option.substring("-XX:".length()).split("=", 2);
            assertThat(output).as(option).containsPattern("\\s" + flag[0] + "\\s+= " + flag[1] + "\\s");
        }
    }

    /**
     * A compile command the JVM cannot parse is only a warning, and a scaling it does not apply changes nothing
     * visible: each one must come back from the JVM as it was meant (it echoes them unless told to be quiet).
     */
    @Test
    void theJvmAppliesEveryCompileCommandQuietly() throws IOException, InterruptedException {
        List<String> commands = Files.readAllLines(OPTIONS).stream().filter(line -> line.startsWith(COMPILE_COMMAND))
                .toList();
        assertThat(commands).as("the gateway's output stays free of the JVM's echo").first()
                .isEqualTo(COMPILE_COMMAND + "quiet");
        List<String> scalings = commands.subList(1, commands.size());
        assertThat(scalings).isNotEmpty();

        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(scalings);
        command.add("-version");
        Process java = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(java.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(java.exitValue()).as(output).isZero();
        for (String scaling : scalings) {
            String[] parts = scaling.substring(COMPILE_COMMAND.length()).split(",", 3);
            assertThat(parts[0]).isEqualTo("CompileThresholdScaling");
            assertThat(output).as(scaling).contains("CompileCommand: CompileThresholdScaling " + parts[1]
                    + " double CompileThresholdScaling = " + String.format(Locale.ROOT, "%f", Double.parseDouble(parts[2])));
        }
    }

    @Test
    void theDockerfileCopiesTheOptionsAndStartsTheGatewayWithThem() throws IOException {
        String dockerfile = Files.readString(Path.of("Dockerfile"));

        assertThat(dockerfile).contains("COPY --from=build /build/" + OPTIONS + " /app/jvm.options");
        String entrypoint = dockerfile.substring(dockerfile.indexOf("\nENTRYPOINT"));
        assertThat(entrypoint).contains("\"" + IMAGE_FLAG + "\"");
    }

    @Test
    void theJibImageCarriesTheOptionsAndStartsTheGatewayWithThem() throws IOException {
        String pom = Files.readString(Path.of("pom.xml"));

        assertThat(pom).contains("<path><from>" + OPTIONS.getParent() + "</from><into>/app</into></path>");
        assertThat(pom).contains("<jvmFlag>" + IMAGE_FLAG + "</jvmFlag>");
    }
}
