package io.sessionauthority.service;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The walls of the service, held so that breaking one fails the build: the domain knows no
 * framework, transport or Redis; the store speaks no gRPC; endpoints reach the store only through
 * the domain; no package needs a package that needs it back.
 */
@Tag("unit")
class ArchitectureTest {

    private static final String BASE = "io.sessionauthority.service";
    /**
     * The domain: rules and services, the plain types they share, and every package they depend on
     * (the revocation log's contract, the audit trail, thread scheduling).
     */
    private static final String[] DOMAIN = {BASE + ".session..", BASE + ".user..", BASE + ".throttle..",
            BASE + ".error..", BASE + ".validation..", BASE + ".revocation..", BASE + ".audit..", BASE + ".scheduling.."};

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(BASE);
    }

    @Test
    void theDomainKnowsNoFrameworkTransportOrRedis() {
        noClasses().that().resideInAnyPackage(DOMAIN)
                .should().dependOnClassesThat().resideInAnyPackage("io.micronaut..", "io.grpc..", "io.netty..",
                        "io.lettuce..", "io.sessionauthority.v1..", "com.google.protobuf..", "io.opentelemetry..",
                        "io.micrometer..", "jakarta.inject..", "javax.inject..", "jakarta.annotation..", "reactor..",
                        "org.reactivestreams..", BASE + ".config..", BASE + ".wiring..", BASE + ".grpc..", BASE + ".store..", BASE + ".health..",
                        BASE + ".metrics..", BASE + ".management..", BASE + ".admission..", BASE + ".security..",
                        BASE + ".logging..", BASE + ".dev..")
                .because("the rules must be testable, and readable, without any of it")
                .check(classes);
    }

    @Test
    void theStoreSpeaksNoGrpc() {
        noClasses().that().resideInAPackage(BASE + ".store..")
                .should().dependOnClassesThat().resideInAnyPackage("io.grpc..", "io.sessionauthority.v1..", BASE + ".grpc..")
                .check(classes);
    }

    @Test
    void endpointsReachTheStoreOnlyThroughTheDomain() {
        noClasses().that().resideInAPackage(BASE + ".grpc..")
                .should().dependOnClassesThat().resideInAnyPackage(BASE + ".store..", "io.lettuce..")
                .check(classes);
    }

    @Test
    void noPackageCycles() {
        slices().matching(BASE + ".(*)..").should().beFreeOfCycles().check(classes);
    }
}
