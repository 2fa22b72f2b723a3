package io.sessionauthority.client;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The SDK is plain grpc-java: it never depends on the service or on Micronaut. */
@Tag("unit")
class ArchitectureTest {

    @Test
    void theSdkDependsOnNeitherTheServiceNorAFramework() {
        JavaClasses sdk = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.sessionauthority.client");
        noClasses().that().resideInAPackage("io.sessionauthority.client..")
                .should().dependOnClassesThat().resideInAnyPackage("io.sessionauthority.service..", "io.micronaut..",
                        "io.lettuce..", "org.springframework..")
                .check(sdk);
    }
}
