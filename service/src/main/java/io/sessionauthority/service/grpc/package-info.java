/**
 * The gRPC face: thin endpoints (proto to domain and back, status mapping), and the interceptors
 * every call passes (caller authentication, quotas, metrics, tracing). No Redis access here.
 */
package io.sessionauthority.service.grpc;
