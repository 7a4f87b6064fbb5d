package io.mailgateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The gateway names its route files one by one: a wildcard would make Camel read through every entry of the jar at
 * each start to find them.
 */
class RouteFilesTest {

    @Test
    void everyRouteFileOfTheRoutesFolderIsNamedAndNoPatternIsLeft() throws IOException {
        // the tests run in the project folder, whose routes/ the gateway then uses
        Path routes = Path.of("routes").toAbsolutePath().normalize();
        List<String> expected;
        try (Stream<Path> files = Files.list(routes)) {
            expected = files.filter(file -> file.toString().endsWith(".camel.yaml")).map(file -> "file:" + file)
                    .sorted().toList();
        }

        String pattern = MailGateway.routesPattern();

        assertThat(pattern).doesNotContain("*");
        assertThat(pattern.split(",")).containsExactlyElementsOf(expected).hasSizeGreaterThan(5);
    }
}
