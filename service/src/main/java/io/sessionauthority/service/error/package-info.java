/**
 * The domain's failures, each one kind of answer a caller can act on; the gRPC layer maps them to
 * status codes (grpc.ErrorMapping), nothing here knows gRPC.
 */
package io.sessionauthority.service.error;
