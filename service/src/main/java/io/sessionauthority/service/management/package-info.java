/**
 * The management HTTP port: probes and Prometheus scrapes, on a Netty server of its own so that
 * probes never wait behind scrapes or gRPC traffic.
 */
package io.sessionauthority.service.management;
