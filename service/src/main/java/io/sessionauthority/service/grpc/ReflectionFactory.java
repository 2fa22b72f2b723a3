package io.sessionauthority.service.grpc;

import io.grpc.BindableService;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Named;
import jakarta.inject.Singleton;

/**
 * Server reflection, always on, in both versions: grpcurl and buf curl speak
 * {@code grpc.reflection.v1}, while older grpcurl releases, Postman and many other tools still
 * speak only {@code grpc.reflection.v1alpha}.
 */
@Factory
public class ReflectionFactory {

    @Singleton
    @Named("reflection-v1")
    BindableService reflection() {
        return ProtoReflectionServiceV1.newInstance();
    }

    @Singleton
    @Named("reflection-v1alpha")
    @SuppressWarnings("deprecation") // v1alpha is deprecated upstream, and still what many tools send
    BindableService reflectionV1Alpha() {
        return ProtoReflectionService.newInstance();
    }
}
