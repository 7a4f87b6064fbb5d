package io.mailgateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every rendering runs the release the project builds, and says which: the image's tag, the Deployment's and the
 * pods' app.kubernetes.io/version label and the project's version agree, or the image is pinned by digest.
 */
class ImageVersionTest {

    private static final Pattern PROJECT_VERSION = Pattern.compile("^  <version>([^<]+)</version>", Pattern.MULTILINE);
    private static final Pattern DIGEST = Pattern.compile(".+@sha256:[0-9a-f]{64}");
    private static final String VERSION_LABEL = "app.kubernetes.io/version";

    static Stream<Arguments> renderings() {
        List<Arguments> renderings = new ArrayList<>();
        renderings.add(Arguments.of("base", Kustomize.render(Kustomize.K8S.resolve("base"))));
        Kustomize.overlays().forEach(o -> renderings.add(Arguments.of("overlay " + o.getFileName(), Kustomize.render(o))));
        return renderings.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renderings")
    void imageTagVersionLabelsAndProjectVersionAgree(String name, List<ObjectNode> objects) throws IOException {
        // the manifests name the release a snapshot build is heading for
        String release = projectVersion().replace("-SNAPSHOT", "");
        ObjectNode deployment = Kustomize.named(objects, "Deployment", "mail-gateway").orElseThrow();
        JsonNode pod = deployment.path("spec").path("template");
        String image = pod.path("spec").path("containers").get(0).path("image").asText();

        assertThat(deployment.path("metadata").path("labels").path(VERSION_LABEL).asText()).as("%s: Deployment", name)
                .isEqualTo(release);
        assertThat(pod.path("metadata").path("labels").path(VERSION_LABEL).asText()).as("%s: pod template", name)
                .isEqualTo(release);
        if (!DIGEST.matcher(image).matches()) {
            assertThat(image.substring(image.lastIndexOf(':') + 1)).as("%s: the tag of %s", name, image).isEqualTo(release);
        }
        // a selector cannot change after creation: a version in it would make every upgrade fail
        assertThat(deployment.path("spec").path("selector").path("matchLabels").has(VERSION_LABEL)).as(name).isFalse();
    }

    private static String projectVersion() throws IOException {
        Matcher version = PROJECT_VERSION.matcher(Files.readString(Path.of("pom.xml")));
        assertThat(version.find()).as("the project's version in pom.xml").isTrue();
        return version.group(1);
    }
}
