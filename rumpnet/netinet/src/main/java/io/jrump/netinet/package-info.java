/**
 * {@code rumpnet_netinet}, the Internet protocols of a rump kernel: the component
 * ({@link io.jrump.netinet.NetinetComponent}), one kernel's stack ({@link io.jrump.netinet.Inet}, which
 * makes every protocol's part and wires them to the link layer), the inet socket domain, the kernel's
 * IPv4 addresses ({@link io.jrump.netinet.InAddrs}, NetBSD's {@code netinet/in.c}), and what every
 * protocol shares: statistics counters, the Internet checksum over an mbuf chain
 * ({@code in_cksum.c}), and an int-keyed map for per-packet tables.
 *
 * <p>The protocols live in sub-packages, one each, as NetBSD keeps one file group per protocol in
 * {@code sys/netinet} and gVisor one package per protocol under {@code pkg/tcpip}: {@code ip},
 * {@code arp}, {@code icmp}, {@code udp}, {@code raw}, {@code tcp}, and {@code pcb} for the protocol
 * control blocks the transports share. They reach each other only through {@code Inet}'s accessors
 * and each other's public methods, which are kept few. {@code tdi} is no protocol but the transport
 * driver interface, through which kernel clients use TCP without sockets (seed 001, Windows 2000 TDI).
 */
package io.jrump.netinet;
