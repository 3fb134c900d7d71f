/**
 * The transport driver interface: how a kernel client (the AFPA accelerator, or anything else that
 * serves TCP from inside the kernel) uses netinet's TCP without sockets, threads or descriptors.
 * It is the Windows 2000 TDI model that AFPA used on Windows (seed {@code 001_4c2098c7f46ed350},
 * "Windows 2000 TCP/IP Integration"): a client binds to a port and registers callbacks for network
 * events; each request it makes (accept, send, disconnect) carries a completion routine that the stack
 * calls when the request has finished, successfully or not. Everything is asynchronous: the client
 * never blocks in the stack, and the stack never waits for the client.
 *
 * <ul>
 * <li>{@link io.jrump.netinet.tdi.Tdi}, one per kernel (a kernel service registered by netinet),
 *     opens a {@link io.jrump.netinet.tdi.TdiAddress} on a TCP port: it attaches to the user-level
 *     server listening there, or listens itself if nobody does.</li>
 * <li>{@link io.jrump.netinet.tdi.TdiEventHandler}: the connect event fires when a SYN arrives on
 *     the port, before any socket exists; the client returns a
 *     {@link io.jrump.netinet.tdi.TdiAcceptRequest} whose completion routine gets the
 *     {@link io.jrump.netinet.tdi.TdiConnection} once the handshake completes, or returns null and the
 *     connection goes to the user-level server's {@code accept} as if the client were not there. The
 *     receive event shows arriving bytes, which the client takes or leaves; the disconnect event tells
 *     of the peer's FIN or a reset.</li>
 * <li>{@link io.jrump.netinet.tdi.TdiConnection#send}: a send request completes
 *     ({@link io.jrump.netinet.tdi.TdiSendCompletion}) when the peer has acknowledged its last byte,
 *     not when the bytes were copied, so a client that sends from its own cache knows when the stack
 *     is done with them; or with an errno when the connection fails.</li>
 * <li>{@link io.jrump.netinet.tdi.TdiConnection#passToUser()} hands a connection the client will not
 *     serve, with the bytes it left unread, to the user-level server's {@code accept} (AFPA's
 *     pass-through).</li>
 * </ul>
 *
 * <h2>Context and locks</h2>
 * Events and completions run where the stack is when it learns of them: the network softint (or a TCP
 * timer), with the connection's socket lock held, as TDI runs them at DISPATCH_LEVEL. There a client
 * may send (which appends to the send buffer and lets TCP output, never sleeping), disconnect, pass to
 * user, or queue work for its own threads; it must not sleep or take another socket's lock. A client
 * thread calls the same methods without holding anything; they take the connection's lock themselves.
 *
 * <p>Netinet's TCP carries two small hooks for this package ({@code TcpListenHook} on a listener's
 * SYN, {@code TcpConnHook} on a connection's ACKs and end); with no client they cost TCP a null check.
 */
package io.jrump.netinet.tdi;
