/**
 * UDP (RFC 768, RFC 1122 section 4.1; NetBSD's {@code netinet/udp_usrreq.c}): input with length and
 * checksum checks, delivery to one socket or every matching socket for a broadcast, port unreachable
 * for nobody listening, output with the checksum computed over the mbuf chain, and the socket entry
 * points ({@code udp_usrreqs}).
 */
package io.jrump.netinet.udp;
