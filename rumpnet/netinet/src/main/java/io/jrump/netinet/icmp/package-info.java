/**
 * ICMP for IPv4 (RFC 792, RFC 1122 section 3.2.2; NetBSD's {@code netinet/ip_icmp.c}): echo replies,
 * rate-limited error messages with RFC 1122's rules about when not to send them, and errors received
 * passed to the transport that sent the quoted datagram.
 */
package io.jrump.netinet.icmp;
