package io.mailgateway.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The house plan of docs/architecture.md: packages depend one way, along the flow and down the layers. */
class PackageDependenciesTest {

    /** The packages a request passes through, in order: each may use the ones before it, never one after. */
    static final List<String> FLOW = List.of("request", "tenant", "enrich", "render", "mime", "dkim", "returnpath", "smtp", "relay", "result");

    private static JavaClasses gateway;

    @BeforeAll
    static void importGateway() {
        gateway = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.mailgateway");
    }

    @Test
    void noPackagesDependOnEachOtherInACircle() {
        slices().matching("io.mailgateway.(*)..").should().beFreeOfCycles().check(gateway);
    }

    @Test
    void eachLayerUsesOnlyTheLayersBelowIt() {
        layeredArchitecture().consideringOnlyDependenciesInLayers().withOptionalLayers(true)
                .layer("application").definedBy("io.mailgateway", "io.mailgateway.config..", "io.mailgateway.local..",
                        "io.mailgateway.bench..")
                .layer("services").definedBy(packages("consume", "idempotency", "suppress", "retry", "metrics",
                        "preview", "attempt", "bounce", "events", "senderchecks"))
                .layer("flow").definedBy(packages(FLOW.toArray(String[]::new)))
                .layer("foundation").definedBy(packages("background", "kafka", "tls", "yaml"))
                .whereLayer("application").mayNotBeAccessedByAnyLayer()
                .whereLayer("services").mayOnlyBeAccessedByLayers("application")
                .whereLayer("flow").mayOnlyBeAccessedByLayers("services", "application")
                .check(gateway);
    }

    static Stream<String> flowPackages() {
        return FLOW.stream().limit(FLOW.size() - 1);
    }

    @ParameterizedTest
    @MethodSource("flowPackages")
    void aFlowPackageNeverReachesAStepAfterIt(String flowPackage) {
        int step = FLOW.indexOf(flowPackage);
        String[] later = packages(IntStream.range(step + 1, FLOW.size()).mapToObj(FLOW::get).toArray(String[]::new));
        noClasses().that().resideInAPackage("io.mailgateway." + flowPackage + "..")
                .should().dependOnClassesThat().resideInAnyPackage(later)
                .because(flowPackage + " comes before " + String.join(", ", FLOW.subList(step + 1, FLOW.size()))
                        + " in the flow")
                // A step of the plan may not have classes yet.
                .allowEmptyShould(true)
                .check(gateway);
    }

    private static String[] packages(String... names) {
        return Arrays.stream(names).map(name -> "io.mailgateway." + name + "..").toArray(String[]::new);
    }
}
