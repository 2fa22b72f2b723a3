package io.sessionauthority.client.example;

import io.grpc.BindableService;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import io.sessionauthority.client.SessionAuthInterceptor;
import io.sessionauthority.client.SessionInfo;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * "Your service": a tiny gRPC service of another team, with plain-string messages so it needs no
 * .proto of its own. {@code example.Greeter/Hello} greets the caller's user by name; it relies on
 * {@link SessionAuthInterceptor} having checked the session.
 */
public final class GreeterService implements BindableService {

    public static final MethodDescriptor<String, String> HELLO = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName("example.Greeter/Hello")
            .setRequestMarshaller(StringMarshaller.INSTANCE)
            .setResponseMarshaller(StringMarshaller.INSTANCE)
            .build();

    public static final MethodDescriptor<String, String> PING = HELLO.toBuilder().setFullMethodName("example.Greeter/Ping").build();

    @Override
    public ServerServiceDefinition bindService() {
        return ServerServiceDefinition.builder("example.Greeter")
                .addMethod(HELLO, ServerCalls.asyncUnaryCall((request, observer) -> {
                    // README:current-session:begin
                    SessionInfo session = SessionAuthInterceptor.currentSession();
                    String greeting = "hello " + session.username() + " (user " + session.userId() + ")";
                    // README:current-session:end
                    observer.onNext(greeting);
                    observer.onCompleted();
                }))
                .addMethod(PING, ServerCalls.asyncUnaryCall((request, observer) -> {
                    observer.onNext("pong");
                    observer.onCompleted();
                }))
                .build();
    }

    /** UTF-8 strings as gRPC messages. */
    public enum StringMarshaller implements MethodDescriptor.Marshaller<String> {
        INSTANCE;

        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
