package io.sessionauthority.client;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The SDK is plain grpc-java: it never depends on the service or on Micronaut; and it answers in
 * its own types, so a field added to the contract never changes a consumer's code.
 */
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

    /**
     * No public method or field answers with a generated type (or a collection or future of one),
     * but for {@code proto()}, which is how a consumer reaches the wire type on purpose.
     */
    @Test
    void theSdksAnswersAreItsOwnTypesNotTheGeneratedOnes() {
        List<String> leaks = new ArrayList<>();
        new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.sessionauthority.client").stream()
                .filter(type -> type.getModifiers().contains(com.tngtech.archunit.core.domain.JavaModifier.PUBLIC))
                .map(type -> type.reflect())
                .forEach(type -> {
                    for (Method method : type.getDeclaredMethods()) {
                        if (Modifier.isPublic(method.getModifiers()) && !method.getName().equals("proto")
                                && method.getGenericReturnType().getTypeName().contains("io.sessionauthority.v1.")) {
                            leaks.add(type.getSimpleName() + "." + method.getName() + " answers " + method.getGenericReturnType().getTypeName());
                        }
                    }
                    for (Field field : type.getDeclaredFields()) {
                        if (Modifier.isPublic(field.getModifiers()) && field.getGenericType().getTypeName().contains("io.sessionauthority.v1.")) {
                            leaks.add(type.getSimpleName() + "." + field.getName() + " is " + field.getGenericType().getTypeName());
                        }
                    }
                });
        Assertions.assertThat(leaks).as("generated types in the SDK's answers").isEmpty();
    }
}
