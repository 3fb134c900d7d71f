/**
 * TCP (RFC 9293 and the RFCs each class cites), one package as gVisor keeps {@code transport/tcp}
 * one package, so that the control block ({@link io.jrump.netinet.tcp.TcpCb}) stays package-private
 * and every part reads and writes it directly. Files by concern, with their NetBSD/FreeBSD counterparts:
 * <ul>
 * <li>{@code Tcp}: the protocol's state, tunables, {@code tcp_close} and {@code tcp_drop}
 *     ({@code tcp_subr.c}); {@code TcpCb}, {@code TcpState}, {@code TcpSeq}, {@code TcpStat}
 *     ({@code tcp_var.h}, {@code tcp_fsm.h}, {@code tcp_seq.h}).</li>
 * <li>Input, as FreeBSD splits {@code tcp_input.c}, {@code tcp_syncache.c} and {@code tcp_sack.c}
 *     and gVisor {@code accept.go}, {@code snd.go} and {@code rcv.go}: {@code TcpInput} parses a
 *     segment and finds its connection ({@code tcp_input}); {@code TcpListen} with {@code TcpSynCache}
 *     is the passive open; {@code TcpHandshake} is SYN_SENT and option negotiation;
 *     {@code TcpEstablished} applies the synchronized states' checks ({@code tcp_do_segment});
 *     {@code TcpAckInput} is the sender's side of an arriving ACK with loss recovery;
 *     {@code TcpDataInput} the receiver's side with the ACK policy, and {@code TcpReass} its queue
 *     ({@code tcp_reass.c}); {@code TcpCtlInput} takes ICMP errors and lowers the path MTU
 *     ({@code tcp_ctlinput}).</li>
 * <li>Output: {@code TcpOutput} decides what a connection sends now and {@code TcpTransmit} builds
 *     and sends each segment ({@code tcp_output.c}, and {@code tcp_respond} for segments outside any
 *     connection).</li>
 * <li>{@code TcpSackBoard}, {@code TcpTimers}
 *     ({@code tcp_timer.c}), {@code TcpCongestion} with {@code TcpNewReno} and {@code TcpCubic}
 *     ({@code tcp_congctl.c}), {@code TcpBufAutosize}, {@code TcpIss} (RFC 6528),
 *     {@code TcpConnHash} (the connection lookup), {@code TcpUsrreq} ({@code tcp_usrreq.c}).</li>
 * <li>{@code TcpTimeWait}, {@code TcpMslt} and {@code Vtw}: TIME_WAIT, MSL truncation and vestigial
 *     TIME_WAIT ({@code tcp_vtw.c}).</li>
 * </ul>
 *
 * <p>Vestigial TIME_WAIT is split where its dependencies split. Its policy ({@code Vtw}: which
 * connection becomes an entry, how a segment for an entry is answered, {@code bind}'s view of its
 * ports) stays here because it reads the control block, the segment being processed and
 * {@code TcpTimeWait}'s rule; moving it out would make all three public. Its storage (the compact
 * record pools and their cache-line hash, which know nothing of TCP) is the sub-package
 * {@code tcp.vtw}.
 */
package io.jrump.netinet.tcp;
