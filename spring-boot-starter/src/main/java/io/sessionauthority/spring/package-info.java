/**
 * The Spring Boot starter: the SDK client as a bean, a Spring Security configurer that
 * authenticates requests by their session token, metrics, and the gRPC interceptor bean.
 */
package io.sessionauthority.spring;
