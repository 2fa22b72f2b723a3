package io.sessionauthority.micronaut;

import io.micronaut.context.annotation.Requires;
import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.filter.ServerFilterPhase;
import io.sessionauthority.client.SessionAuthorityClient;

/**
 * Turns the 401 of a request whose token could not be checked, because the authority could not
 * answer, into 503 with {@code Retry-After} and {@code {"error":"unavailable"}}: an outage must
 * never make a client drop a good token. Ordered outside the security filter, so it sees the answer
 * of its rejection, whichever rejection handler made it.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
@Requires(beans = SessionAuthorityClient.class)
public class OutageResponseFilter implements Ordered {

    /**
     * Rewrites an unauthorized answer to a request the authority could not answer.
     *
     * @param request  the request
     * @param response its answer so far
     */
    @ResponseFilter
    public void unavailableNotUnauthorized(HttpRequest<?> request, MutableHttpResponse<?> response) {
        if (response.status() != HttpStatus.UNAUTHORIZED) {
            return;
        }
        request.getAttribute(SessionTokenValidator.AUTHORITY_UNAVAILABLE, Long.class).ifPresent(retryAfter -> {
            response.status(HttpStatus.SERVICE_UNAVAILABLE);
            response.getHeaders().remove(HttpHeaders.WWW_AUTHENTICATE);
            response.header(HttpHeaders.RETRY_AFTER, Long.toString(retryAfter));
            response.header(HttpHeaders.CACHE_CONTROL, "no-store");
            response.contentType(MediaType.APPLICATION_JSON_TYPE);
            response.body("{\"error\":\"unavailable\"}");
        });
    }

    @Override
    public int getOrder() {
        return ServerFilterPhase.SECURITY.before();
    }
}
