/**
 * Bulkheads: who gets in when callers compete for what they share. Connections on each port
 * ({@link io.sessionauthority.service.admission.ConnectionAdmission}), open streams per caller
 * ({@link io.sessionauthority.service.admission.StreamQuotas}) and the rate of calls that write to
 * the shared logs ({@link io.sessionauthority.service.admission.RateQuotas}). One noisy or hostile
 * caller can use at most its share; the others keep theirs.
 *
 * <p>Plain Java and Netty's {@code Channel} only: no gRPC, no Micronaut, no Redis. The gRPC
 * interceptors and the ports' handlers that apply these decisions live with their transports.
 */
package io.sessionauthority.service.admission;
