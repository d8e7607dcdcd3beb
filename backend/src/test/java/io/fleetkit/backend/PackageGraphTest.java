package io.fleetkit.backend;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The backend's package graph, as ARCHITECTURE.md and each {@code package-info.java} draw it: the message path runs one way
 * ({@code gateway → routing → stream → processing → store → api}) and no stage reaches back past the one it reads from; callers that reach a
 * device do it through the device-command port ({@code hub.DeviceCommands}), which the gateway implements in one process and
 * {@code cluster} across processes; the support packages import none of the path; only the assembly ({@code Backend},
 * {@code EmbeddedHub}) sees everything.
 */
class PackageGraphTest {
    private static final String BACKEND = "io.fleetkit.backend";
    /** The message path, in the order a message travels it. */
    private static final List<String> PATH = List.of("gateway", "routing", "stream", "processing", "store", "api");
    /** What the path and the assembly use, and which must not use the path in turn. */
    private static final List<String> SUPPORT = List.of("hub", "registry", "throttle", "health", "admission", "dps", "latency");

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(BACKEND);
    }

    private static String pkg(String name) {
        return BACKEND + "." + name + "..";
    }

    private static String[] pkgs(List<String> names) {
        return names.stream().map(PackageGraphTest::pkg).toArray(String[]::new);
    }

    /**
     * A stage may hand on to any later stage and read what the stage just before it offers (processing reads the
     * {@code stream}, the API reads the {@code store}), never reach further back: that is the edge against the path (as
     * {@code processing} importing {@code routing} for its property names was).
     */
    @Test
    void nothingImportsAgainstTheMessagePath() {
        for (int i = 2; i < PATH.size(); i++) {
            List<String> further = PATH.subList(0, i - 1);
            noClasses().that().resideInAPackage(pkg(PATH.get(i)))
                    .should().dependOnClassesThat().resideInAnyPackage(pkgs(further))
                    .because(PATH.get(i) + " reads only from " + PATH.get(i - 1) + ", never from " + further)
                    .check(classes);
        }
    }

    @Test
    void devicesAreReachedOnlyThroughTheCommandPort() {
        noClasses().that().resideOutsideOfPackages(pkg("gateway"), pkg("cluster"), BACKEND)
                .should().dependOnClassesThat().resideInAPackage(pkg("gateway"))
                .because("the REST API, ownership claims and the processors call devices through hub.DeviceCommands")
                .check(classes);
    }

    @Test
    void theServiceApiIsAnEdgeThatReachesDevicesOnlyThroughThePort() {
        noClasses().that().resideInAPackage(pkg("serviceapi"))
                .should().dependOnClassesThat().resideInAnyPackage(pkgs(PATH))
                .because("IoT Hub's service API reaches devices through hub.DeviceCommands and identities through the registry, and is"
                        + " no part of the message path (not even the REST API beside it)")
                .check(classes);
        noClasses().that().resideOutsideOfPackages(pkg("serviceapi"), BACKEND)
                .should().dependOnClassesThat().resideInAPackage(pkg("serviceapi"))
                .because("only the assembly starts it")
                .check(classes);
    }

    @Test
    void onlyTheAssemblyWiresTheCluster() {
        noClasses().that().resideOutsideOfPackages(pkg("cluster"), BACKEND)
                .should().dependOnClassesThat().resideInAPackage(pkg("cluster"))
                .because("the cluster is the command port's implementation across processes: callers see only hub.DeviceCommands")
                .check(classes);
    }

    @Test
    void supportPackagesUseNoneOfThePath() {
        String[] path = Arrays.copyOf(pkgs(PATH), PATH.size() + 2);
        path[PATH.size()] = pkg("ownership");
        path[PATH.size() + 1] = pkg("capture");
        noClasses().that().resideInAnyPackage(pkgs(SUPPORT))
                .should().dependOnClassesThat().resideInAnyPackage(path)
                .check(classes);
    }

    @Test
    void onlyTheAssemblyStartsCapture() {
        noClasses().that().resideOutsideOfPackages(pkg("capture"), BACKEND)
                .should().dependOnClassesThat().resideInAPackage(pkg("capture"))
                .because("capture is one more reader of the streams, wired beside the processors")
                .check(classes);
    }

    @Test
    void noPackageImportsTheAssembly() {
        noClasses().that().resideOutsideOfPackage(BACKEND)
                .should().dependOnClassesThat().resideInAPackage(BACKEND)
                .check(classes);
    }

    @Test
    void packagesFormNoCycle() {
        slices().matching(BACKEND + ".(*)..").should().beFreeOfCycles().check(classes);
    }
}
