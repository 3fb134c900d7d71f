/**
 * Raw IP sockets (NetBSD's {@code netinet/raw_ip.c}): every datagram of a protocol offered to the raw
 * sockets open for it, header included (how {@code ping} reads its replies), and sends with the
 * socket's protocol or, with {@code IP_HDRINCL}, the caller's own IP header.
 */
package io.jrump.netinet.raw;
