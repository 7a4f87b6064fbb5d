package io.mailgateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * {@code mvn package} leaves a CycloneDX bill of materials beside the jar, {@code target/bom.json}, naming exactly
 * the libraries the build resolved for the jar (the image carries the same file, checked by ContainerImageIT).
 */
class BillOfMaterialsIT {

    private static final Path BOM = Path.of("target", "bom.json");

    @Test
    void billOfMaterialsNamesTheRuntimeLibrariesWithTheVersionsTheBuildResolved() throws Exception {
        assertThat(Files.isRegularFile(BOM))
                .as("%s is missing: the CycloneDX plugin writes it in the package phase, and skips it when Maven runs"
                        + " offline (-o)", BOM)
                .isTrue();
        JsonNode bom = new ObjectMapper().readTree(BOM.toFile());
        assertThat(bom.path("bomFormat").asText()).isEqualTo("CycloneDX");
        assertThat(bom.path("specVersion").asText()).matches("1\\.[4-9]");
        assertThat(bom.at("/metadata/component/name").asText()).isEqualTo("mail-gateway");

        Map<String, String> components = new LinkedHashMap<>();
        for (JsonNode component : bom.path("components")) {
            String coordinates = component.path("group").asText() + ":" + component.path("name").asText();
            components.put(coordinates, component.path("version").asText());
            assertThat(component.path("purl").asText()).as(coordinates)
                    .startsWith("pkg:maven/" + coordinates.replace(':', '/') + "@" + component.path("version").asText());
            assertThat(component.path("scope").asText()).as("%s: on the jar's runtime class path", coordinates)
                    .isEqualTo("required");
        }

        // The versions Maven resolved for this build are the jars on the class path of this test.
        Set<String> classPath = Arrays.stream(testClassPath().split(File.pathSeparator)).collect(Collectors.toSet());
        assertThat(components).containsEntry("org.apache.camel:camel-core-engine", versionOnClassPath(classPath,
                "org.apache.camel", "camel-core-engine"));
        assertThat(components).containsEntry("org.apache.kafka:kafka-clients", versionOnClassPath(classPath,
                "org.apache.kafka", "kafka-clients"));
        components.forEach((coordinates, version) -> {
            String[] ga = coordinates.split(":");
            assertThat(versionOnClassPath(classPath, ga[0], ga[1])).as(coordinates).isEqualTo(version);
        });

        // Libraries only the tests use are not part of what ships.
        assertThat(components.keySet()).doesNotContain("org.junit.jupiter:junit-jupiter-api", "org.assertj:assertj-core",
                "org.awaitility:awaitility", "com.icegreen:greenmail", "org.apache.kafka:kafka_2.13");
    }

    private static String testClassPath() {
        // Failsafe starts the test JVM through a manifest-only jar and passes the real class path in this property.
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        assertThat(classPath).isNotBlank();
        return classPath;
    }

    /** The version of the artifact's jar on the class path, read from its local repository path G/A/V/A-V.jar. */
    private static String versionOnClassPath(Set<String> classPath, String group, String artifact) {
        String folder = File.separator + group.replace('.', File.separatorChar) + File.separator + artifact
                + File.separator;
        return classPath.stream()
                .filter(entry -> entry.contains(folder) && entry.endsWith(".jar"))
                .filter(entry -> Path.of(entry).getFileName().toString().startsWith(artifact + "-"))
                .filter(entry -> !entry.endsWith("-test.jar") && !entry.endsWith("-tests.jar"))
                .map(entry -> Path.of(entry).getParent().getFileName().toString())
                .findFirst()
                .orElseThrow(() -> new AssertionError(group + ":" + artifact + " is not on the class path"));
    }
}
