package io.sessionauthority.micronaut;

import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.token.validator.TokenValidator;
import io.sessionauthority.client.SessionAuthorityClient;
import io.sessionauthority.client.SessionAuthorityException;
import io.sessionauthority.client.SessionInfo;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

/**
 * Micronaut Security's token validator for Session Authority tokens: a token Micronaut Security
 * read from the request (by default {@code Authorization: Bearer}) authenticates it when the
 * authority says its session is live. The authentication's name is the username, its roles the
 * values of {@code session-authority.client.roles-attribute}, and its attributes {@code userId},
 * {@code sessionId} and the session's own attributes.
 *
 * <p>A token that is not live yields no authentication (a secured route answers 401). When the
 * authority cannot answer, the request goes on unauthenticated and is marked with
 * {@link #AUTHORITY_UNAVAILABLE}: an anonymous route still answers, and a secured one gets 503 from
 * {@link OutageResponseFilter}, never the 401 that would make a client drop a
 * good token. Never blocks: called on the event loop, it answers when the SDK's future does.
 */
@Singleton
@Requires(beans = SessionAuthorityClient.class)
public class SessionTokenValidator implements TokenValidator<HttpRequest<?>> {

    /** The request attribute, a {@code Long} of seconds to retry after, set when the authority could not answer. */
    public static final String AUTHORITY_UNAVAILABLE = SessionTokenValidator.class.getName() + ".AUTHORITY_UNAVAILABLE";

    private final SessionAuthorityClient client;
    private final String rolesAttribute;

    /**
     * A validator asking {@code client}.
     *
     * @param client        the client
     * @param configuration where the roles attribute is named
     */
    public SessionTokenValidator(SessionAuthorityClient client, SessionAuthorityClientConfiguration configuration) {
        this.client = client;
        this.rolesAttribute = configuration.getRolesAttribute();
    }

    @Override
    public Publisher<Authentication> validateToken(String token, @Nullable HttpRequest<?> request) {
        return Mono.fromFuture(() -> client.validateAsync(token))
                .flatMap(result -> result.isValid() ? Mono.just(authentication(result.session().orElseThrow())) : Mono.<Authentication>empty())
                .onErrorResume(SessionAuthorityException.class, failure -> {
                    if (request != null) {
                        request.setAttribute(AUTHORITY_UNAVAILABLE, failure.retryAfterSeconds());
                    }
                    return Mono.empty();
                });
    }

    private Authentication authentication(SessionInfo session) {
        List<String> roles = new ArrayList<>();
        if (rolesAttribute != null && !rolesAttribute.isEmpty()) {
            for (String role : session.attribute(rolesAttribute).orElse("").split(",")) {
                if (!role.isBlank()) {
                    roles.add(role.trim());
                }
            }
        }
        Map<String, Object> attributes = new HashMap<>(session.attributes());
        attributes.put("userId", session.userId());
        attributes.put("sessionId", session.sessionId());
        return Authentication.build(session.username(), roles, attributes);
    }
}
