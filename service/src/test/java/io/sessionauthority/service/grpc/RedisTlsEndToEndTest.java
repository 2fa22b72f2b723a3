package io.sessionauthority.service.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.sessionauthority.service.testing.RedisServerProcess;
import io.sessionauthority.service.testing.ServiceUnderTest;
import io.sessionauthority.service.testing.TestCertificates;
import io.sessionauthority.v1.CreateUserRequest;
import io.sessionauthority.v1.LoginRequest;
import io.sessionauthority.v1.LoginResponse;
import io.sessionauthority.v1.ValidateRequest;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The service on a Redis that speaks only TLS and admits only its own ACL user. */
@Tag("end-to-end")
class RedisTlsEndToEndTest {

    @Test
    void worksOverTlsAsAnAclUserWithKeysLimitedToItsPrefix() {
        TestCertificates pki = TestCertificates.create();
        TestCertificates.Pair redisCert = pki.server("redis");
        try (RedisServerProcess redis = RedisServerProcess.startTls(redisCert.certificate(), redisCert.privateKey(), pki.caPem(),
                "--user", "default", "off",
                "--user", "session-authority", "on", ">s3cret-acl-password", "~sa:*", "+@all");
             ServiceUnderTest service = ServiceUnderTest.start(
                     "rediss://session-authority:s3cret-acl-password@127.0.0.1:" + redis.port(),
                     Map.of("session-authority.redis.tls-ca", pki.caPem().toString()))) {
            service.blocking().createUser(CreateUserRequest.newBuilder().setUsername("alice").setPassword("correct horse battery").build());
            LoginResponse login = service.blocking().login(LoginRequest.newBuilder().setUsername("alice").setPassword("correct horse battery").build());
            assertThat(service.blocking().validate(ValidateRequest.newBuilder().setToken(login.getToken()).build()).getValid()).isTrue();
        }
    }
}
