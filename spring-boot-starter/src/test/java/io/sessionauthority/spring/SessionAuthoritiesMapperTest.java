package io.sessionauthority.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.sessionauthority.client.SessionInfo;
import io.sessionauthority.v1.Session;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.security.core.GrantedAuthority;

@Tag("unit")
class SessionAuthoritiesMapperTest {

    private static final SessionInfo ADMIN = SessionInfo.of(Session.newBuilder().putAttributes("roles", " support ,ADMIN,, ").build());

    @Test
    void everySessionIsAUserAndTheAttributesValuesAreItsRoles() {
        assertThat(SessionAuthoritiesMapper.fromAttribute("roles").authorities(ADMIN)).extracting(GrantedAuthority::getAuthority)
                .containsExactly("ROLE_USER", "ROLE_support", "ROLE_ADMIN");
    }

    @Test
    void withoutTheAttributeOrWithoutAnAttributeNameASessionIsOnlyAUser() {
        assertThat(SessionAuthoritiesMapper.fromAttribute("roles").authorities(SessionInfo.of(Session.getDefaultInstance())))
                .extracting(GrantedAuthority::getAuthority).containsExactly("ROLE_USER");
        assertThat(SessionAuthoritiesMapper.fromAttribute(null).authorities(ADMIN))
                .extracting(GrantedAuthority::getAuthority).containsExactly("ROLE_USER");
    }
}
