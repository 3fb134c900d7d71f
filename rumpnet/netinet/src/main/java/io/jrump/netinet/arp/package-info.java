/**
 * ARP for IPv4 over Ethernet (RFC 826; NetBSD's {@code netinet/if_arp.c}): the neighbour cache with
 * expiry and permanent entries, packets held while a neighbour is resolved, answers to requests for
 * our addresses, gratuitous announcements, and the {@code arp -s}/{@code arp -d} ioctls with their
 * argument ({@code struct arpreq}, {@code net/if_arp.h}).
 */
package io.jrump.netinet.arp;
