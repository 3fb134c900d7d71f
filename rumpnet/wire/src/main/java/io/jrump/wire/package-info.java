/**
 * Wire formats of the protocols the network stack speaks: for each header a reusable, allocation-free
 * <em>view</em> over a byte range ({@link io.jrump.wire.Ipv4Packet}, {@link io.jrump.wire.TcpPacket}, ...)
 * and an immutable <em>repr</em> record ({@link io.jrump.wire.Ipv4Repr}, {@link io.jrump.wire.TcpRepr}, ...).
 *
 * <p>The split exists because the two users want different things. The per-packet path (ether input, ip
 * input, tcp input, forwarding) must not make garbage, so it wraps a view around the bytes of an mbuf, calls
 * {@code check()}, and reads or rewrites fields in place. Everything else (building a SYN, answering an ARP
 * request, tests) is clearer with a value that says what a header means, not where its bits are; that is the
 * repr, which may allocate.
 *
 * <p>Error handling follows the same split. A view's {@code check()} returns a {@link io.jrump.wire.WireError}
 * and never throws for any content of the bytes: a packet from the network is input, not a bug. Once
 * {@code check()} returned {@link io.jrump.wire.WireError#OK}, every getter of that view stays inside the
 * range it wraps. Before that, a getter may read past the range (or throw
 * {@link java.lang.IndexOutOfBoundsException}); calling it is the caller's bug. Repr parsing is not on the hot
 * path and reports bad input by the checked {@link io.jrump.wire.WireException}, which carries the same
 * {@code WireError}. Misuse by the programmer (a port above 65535 in a repr, emitting into a range that is too
 * short) throws {@link java.lang.IllegalArgumentException}.
 *
 * <p>All multi-byte fields are big-endian ("network byte order", RFC 791 Appendix B). Addresses are carried as
 * primitives: an IPv4 address as an {@code int}, a MAC address as the low 48 bits of a {@code long}
 * ({@link io.jrump.wire.Ipv4Address} and {@link io.jrump.wire.MacAddress} hold the helpers). Nothing in this
 * package has static mutable state.
 */
package io.jrump.wire;
