/**
 * Internet protocol control blocks (NetBSD's {@code netinet/in_pcb.c} and {@code in_pcb.h}): a
 * socket's addresses and IP options ({@code ip_ctloutput}'s {@code IPPROTO_IP} level), and the table
 * per transport protocol that binds ports (ephemeral ones by RFC 6056) and matches an arriving datagram
 * to its socket in one place. UDP, TCP and raw IP share them.
 */
package io.jrump.netinet.pcb;
