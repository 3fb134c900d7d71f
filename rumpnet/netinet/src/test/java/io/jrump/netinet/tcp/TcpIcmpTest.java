package io.jrump.netinet.tcp;

import static io.jrump.netinet.tcp.TcpTestContext.SEC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.netinet.tcp.TcpTestContext.PeerOpts;
import io.jrump.wire.IcmpCode;
import io.jrump.wire.IcmpPacket;
import io.jrump.wire.IcmpType;
import io.jrump.wire.InternetChecksum;
import io.jrump.wire.IpProtocol;
import io.jrump.wire.Ipv4Packet;
import io.jrump.wire.Ipv4Repr;
import io.jrump.wire.TcpFlags;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ICMP errors about our segments ({@code tcp_ctlinput}): RFC 1122 section 4.2.3.9 lets a connection
 * still being opened give up on a hard error (port unreachable, after its SYN was retried), while RFC
 * 5927 section 4 has a synchronized connection treat ICMP errors as soft, since an off-path attacker
 * can forge them: the connection goes on.
 */
class TcpIcmpTest {
    /** An ICMP destination unreachable from the peer quoting a segment from {@code lport} to {@code rport}. */
    private static byte[] unreachable(int code, int lport, int rport, int seq) {
        return unreachable(code, lport, rport, seq, 20, 0);
    }

    /**
     * The same, quoting a datagram of {@code quotedPayload} bytes after its IP header, with
     * {@code nextHopMtu} in the field RFC 1191 section 4 adds to "fragmentation needed".
     */
    private static byte[] unreachable(int code, int lport, int rport, int seq, int quotedPayload, int nextHopMtu) {
        byte[] quote = new byte[Ipv4Packet.HEADER_LEN + 8];
        Ipv4Repr.of(TcpTestContext.LOCAL, TcpTestContext.REMOTE, IpProtocol.TCP, quotedPayload, 64)
                .emit(new Ipv4Packet().wrap(quote, 0, quote.length));
        int t = Ipv4Packet.HEADER_LEN;
        quote[t] = (byte) (lport >>> 8);
        quote[t + 1] = (byte) lport;
        quote[t + 2] = (byte) (rport >>> 8);
        quote[t + 3] = (byte) rport;
        quote[t + 4] = (byte) (seq >>> 24);
        quote[t + 5] = (byte) (seq >>> 16);
        quote[t + 6] = (byte) (seq >>> 8);
        quote[t + 7] = (byte) seq;
        int icmpLen = IcmpPacket.HEADER_LEN + quote.length;
        byte[] ip = new byte[Ipv4Packet.HEADER_LEN + icmpLen];
        Ipv4Repr.of(TcpTestContext.REMOTE, TcpTestContext.LOCAL, IpProtocol.ICMP, icmpLen, 64)
                .emit(new Ipv4Packet().wrap(ip, 0, ip.length));
        int o = Ipv4Packet.HEADER_LEN;
        ip[o] = (byte) IcmpType.DESTINATION_UNREACHABLE;
        ip[o + 1] = (byte) code;
        ip[o + 6] = (byte) (nextHopMtu >>> 8);
        ip[o + 7] = (byte) nextHopMtu;
        System.arraycopy(quote, 0, ip, o + IcmpPacket.HEADER_LEN, quote.length);
        int sum = InternetChecksum.finish(InternetChecksum.sum(ip, o, icmpLen));
        ip[o + 2] = (byte) (sum >>> 8);
        ip[o + 3] = (byte) sum;
        return ip;
    }

    /**
     * RFC 1122 section 4.2.3.9: port unreachable for a connection whose SYN was already retried ends the
     * attempt with ECONNREFUSED.
     */
    @Test
    void portUnreachableRefusesConnect() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            int fd = c.socket();
            assertThrows(ErrnoException.class,
                    () -> c.sys.connect(fd, SockAddr.in(TcpTestContext.REMOTE, TcpTestContext.REMOTE_PORT)));
            c.settle();
            Sent syn = c.expect(Expect.flags(TcpFlags.SYN));
            Sent again = c.awaitSegment(2 * SEC);
            assertTrue(again != null && again.has(TcpFlags.SYN), "SYN retried: " + again);
            c.injectIp(unreachable(IcmpCode.PORT_UNREACHABLE, syn.tcp().sourcePort(), TcpTestContext.REMOTE_PORT,
                    syn.seq()));
            assertEquals(Errno.ECONNREFUSED, c.soError(fd));
            assertEquals(0, c.tcp.conns().size(), c.state());
            c.expectSilenceFor(10 * SEC, "the attempt is over");
        }
    }

    /** RFC 5927 section 4: an ICMP error does not tear down an established connection. */
    @Test
    void establishedConnectionSurvivesIcmpErrors() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.MSS);
            for (int code : new int[] {IcmpCode.PORT_UNREACHABLE, IcmpCode.PROTOCOL_UNREACHABLE,
                IcmpCode.HOST_UNREACHABLE, IcmpCode.NET_UNREACHABLE}) {
                c.injectIp(unreachable(code, p.localPort, p.remotePort, p.rcvNxt));
            }
            assertEquals(TcpState.ESTABLISHED, p.tcb().state);
            c.write(p.fd, new byte[10]);
            p.expect(Expect.flags(TcpFlags.ACK | TcpFlags.PSH).len(10));
            p.inject(p.data(10));
            p.expect(p.expectAck());
            assertEquals(10, c.read(p.fd, 100).length);
        }
    }

    /** Writes {@code n} bytes and returns the segments the kernel sends for them at once. */
    private static List<Sent> send(TcpTestContext c, Peer p, int n) throws Exception {
        c.write(p.fd, TcpTestContext.bytes(n, n));
        c.settle();
        return c.drain();
    }

    /**
     * The peer takes {@code segs} and acknowledges in order until it has {@code n} bytes from
     * {@code start}; every segment the kernel sends meanwhile must carry at most {@code maxLen} bytes
     * and DF. Returns the bytes as the peer's application would read them.
     */
    private static byte[] receive(TcpTestContext c, Peer p, List<Sent> segs, int start, int n, int maxLen) {
        byte[] got = new byte[n];
        List<Sent> batch = segs;
        for (int round = 0; p.rcvNxt != start + n; round++) {
            assertTrue(round < 20 && !batch.isEmpty(), "the peer is missing bytes from " + (p.rcvNxt - start)
                    + "\n" + c.state());
            for (Sent s : batch) {
                assertTrue(s.len() <= maxLen && s.dontFragment(), "at most " + maxLen + " bytes, DF: " + s);
                if (s.seq() == p.rcvNxt && s.len() > 0) {
                    System.arraycopy(s.payload(), 0, got, s.seq() - start, s.len());
                }
                p.saw(s);
            }
            p.inject(p.ack());
            c.settle();
            batch = c.drain();
        }
        return got;
    }

    /**
     * {@code icmp} with its quote {@code cut} bytes shorter, as from a router that quotes less than the
     * 8 bytes of transport header RFC 792 asks for: the lengths and both checksums are made right again.
     */
    private static byte[] withQuoteCut(byte[] icmp, int cut) {
        byte[] ip = java.util.Arrays.copyOf(icmp, icmp.length - cut);
        ip[2] = (byte) (ip.length >>> 8);
        ip[3] = (byte) ip.length;
        ip[10] = 0;
        ip[11] = 0;
        int hsum = InternetChecksum.finish(InternetChecksum.sum(ip, 0, Ipv4Packet.HEADER_LEN));
        ip[10] = (byte) (hsum >>> 8);
        ip[11] = (byte) hsum;
        int o = Ipv4Packet.HEADER_LEN;
        ip[o + 2] = 0;
        ip[o + 3] = 0;
        int sum = InternetChecksum.finish(InternetChecksum.sum(ip, o, ip.length - o));
        ip[o + 2] = (byte) (sum >>> 8);
        ip[o + 3] = (byte) sum;
        return ip;
    }

    private static byte[] fragNeeded(Peer p, int seq, int quotedPayload, int mtu) {
        return unreachable(IcmpCode.FRAGMENTATION_NEEDED, p.localPort, p.remotePort, seq, quotedPayload, mtu);
    }

    /**
     * RFC 1191 section 6.3: our segments carry DF, and a router's "fragmentation needed" with a next-hop
     * MTU of 1000 makes every later segment fit 1000 bytes; the data it dropped goes again at once, in
     * the new size, from the first unacknowledged byte, and the peer gets every byte.
     */
    @Test
    void fragmentationNeededShrinksSegmentsAndResendsAtOnce() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.MSS);
            List<Sent> dropped = send(c, p, 2920);
            assertEquals(List.of(1460, 1460), dropped.stream().map(Sent::len).toList());
            assertTrue(dropped.stream().allMatch(Sent::dontFragment), "DF on every segment: " + dropped);
            int una = dropped.get(0).seq();

            c.injectIp(fragNeeded(p, una, 1480, 1000));
            c.settle();
            List<Sent> again = c.drain();
            assertFalse(again.isEmpty(), "the dropped data is sent again without waiting for a timeout");
            assertEquals(una, again.get(0).seq());
            assertEquals(960, p.tcb().maxseg);
            assertEquals(1, c.tcp.stats().get(TcpStat.PMTUDECREASE));
            assertArrayEquals(TcpTestContext.bytes(2920, 2920), receive(c, p, again, una, 2920, 960));

            List<Sent> later = send(c, p, 5000);
            assertEquals(960, later.get(0).len(), "new data in the new size too");
            assertArrayEquals(TcpTestContext.bytes(5000, 5000), receive(c, p, later, una + 2920, 5000, 960));
        }
    }

    /**
     * RFC 5927 section 4.1: "fragmentation needed" quoting a sequence number outside what we have
     * outstanding, or none at all, or naming an MTU too small to be a real path's, is forged or stale:
     * the segment size stays, nothing is sent again, and the connection goes on.
     */
    @Test
    void fragmentationNeededOutsideTheWindowOrTooSmallIsIgnored() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.MSS);
            List<Sent> first = send(c, p, 1460);
            first.forEach(p::saw);
            int una = first.get(0).seq();
            c.injectIp(fragNeeded(p, una + 1460, 1480, 1000));
            c.injectIp(fragNeeded(p, una - 1, 1480, 1000));
            c.injectIp(withQuoteCut(fragNeeded(p, una, 1480, 1000), 4));
            c.injectIp(fragNeeded(p, una, 1480, 200));
            c.settle();
            c.expectNothing("no resend for an error we do not believe");
            assertEquals(1460, p.tcb().maxseg);
            assertEquals(3, c.tcp.stats().get(TcpStat.ICMPOUTOFWINDOW), "two outside, one without a sequence number");
            p.inject(p.ack());
            assertEquals(List.of(1460), send(c, p, 1460).stream().map(Sent::len).toList());
        }
    }

    /**
     * RFC 1191 section 5: a router that predates the next-hop MTU field sends 0 there; the next plateau
     * below the datagram that did not fit (1492 below 1500, section 7's table) is tried instead.
     */
    @Test
    void aRouterWithoutTheMtuFieldGetsTheNextPlateau() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(PeerOpts.MSS);
            List<Sent> first = send(c, p, 1460);
            c.injectIp(fragNeeded(p, first.get(0).seq(), 1480, 0));
            c.settle();
            assertEquals(List.of(1452, 8), c.drain().stream().map(Sent::len).toList());
            assertEquals(1452, p.tcb().maxseg);
        }
    }

    /** {@code net.inet.ip.mtudisc=0}, as on NetBSD: segments go without DF, so routers fragment them. */
    @Test
    void withoutMtuDiscoverySegmentsCarryNoDf() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            c.sys.sysctlWrite("net.inet.ip.mtudisc", "0");
            Peer p = c.passiveOpen(PeerOpts.MSS);
            List<Sent> l = send(c, p, 100);
            assertEquals(1, l.size());
            assertFalse(l.get(0).dontFragment());
        }
    }
}
