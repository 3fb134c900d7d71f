package io.jrump.netinet;

import static io.jrump.netinet.TcpTestContext.SEC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.SockAddr;
import io.jrump.net.wire.IcmpCode;
import io.jrump.net.wire.IcmpPacket;
import io.jrump.net.wire.IcmpType;
import io.jrump.net.wire.InternetChecksum;
import io.jrump.net.wire.IpProtocol;
import io.jrump.net.wire.Ipv4Packet;
import io.jrump.net.wire.Ipv4Repr;
import io.jrump.net.wire.TcpFlags;
import io.jrump.netinet.TcpTestContext.PeerOpts;
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
        byte[] quote = new byte[Ipv4Packet.HEADER_LEN + 8];
        Ipv4Repr.of(TcpTestContext.LOCAL, TcpTestContext.REMOTE, IpProtocol.TCP, 20, 64)
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
}
