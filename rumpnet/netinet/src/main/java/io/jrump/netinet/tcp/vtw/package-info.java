/**
 * The storage of vestigial TIME_WAIT (seed 004; the data structures of NetBSD's {@code tcp_vtw.c}
 * and {@code tcp_vtw.h}): fixed pools of compact records addressed by narrow int indexes
 * ({@link io.jrump.netinet.tcp.vtw.VtwPool}), their four-tuple hash of cache-line buckets, and the
 * chunked int arrays that hold both. Nothing here knows TCP; the policy that fills and reads the
 * pools is {@code io.jrump.netinet.tcp.Vtw}.
 */
package io.jrump.netinet.tcp.vtw;
