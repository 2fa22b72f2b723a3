package io.sessionauthority.service.grpc;

import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.rpc.ErrorDetailsProto;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.protobuf.ProtoFileDescriptorSupplier;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes the {@code google.rpc} error details this service attaches to its errors ({@code ErrorInfo},
 * {@code RetryInfo}, …) resolvable through server reflection, so grpcurl and buf curl print them
 * decoded instead of as base64.
 *
 * <p>Reflection serves the files a registered service's file reaches through its imports, and the
 * contract's file does not import {@code google/rpc/error_details.proto}: its messages never name
 * those types, which travel as {@code Any} in the status. The contract's descriptor as served by
 * reflection therefore gains that one import; every symbol, field and method is the compiled one,
 * and no extra service is listed.
 */
final class ErrorDetailsInReflection {

    private ErrorDetailsInReflection() {
    }

    /** {@code service} with a schema whose file also imports the error-detail types. */
    static ServerServiceDefinition add(ServerServiceDefinition service) {
        ServiceDescriptor original = service.getServiceDescriptor();
        FileDescriptor file = ((ProtoFileDescriptorSupplier) original.getSchemaDescriptor()).getFileDescriptor();
        FileDescriptor served = withErrorDetails(file);
        ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(original.getName())
                .setSchemaDescriptor((ProtoFileDescriptorSupplier) () -> served);
        original.getMethods().forEach(descriptor::addMethod);
        ServerServiceDefinition.Builder definition = ServerServiceDefinition.builder(descriptor.build());
        for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
            definition.addMethod(method);
        }
        return definition.build();
    }

    private static FileDescriptor withErrorDetails(FileDescriptor file) {
        FileDescriptor details = ErrorDetailsProto.getDescriptor();
        if (file.getDependencies().contains(details)) {
            return file;
        }
        List<FileDescriptor> dependencies = new ArrayList<>(file.getDependencies());
        dependencies.add(details);
        try {
            return FileDescriptor.buildFrom(file.toProto().toBuilder().addDependency(details.getName()).build(),
                    dependencies.toArray(FileDescriptor[]::new));
        } catch (DescriptorValidationException e) {
            throw new IllegalStateException("the contract's descriptor with the error-detail import does not build", e);
        }
    }
}
