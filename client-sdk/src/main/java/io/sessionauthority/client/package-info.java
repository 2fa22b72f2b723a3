/**
 * The Java SDK: a typed client of Session Authority (SessionAuthorityClient), a server interceptor
 * that protects a gRPC service with one line (SessionAuthInterceptor), and a validation cache that
 * follows the revocation stream. Plain grpc-java: no Micronaut, no Spring.
 */
package io.sessionauthority.client;
