package io.jrump.netinet.udp;

import static io.jrump.netinet.NetTestContext.BROADCAST;
import static io.jrump.netinet.NetTestContext.LOCAL;
import static io.jrump.netinet.NetTestContext.REMOTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.netinet.NetTestContext;
import io.jrump.wire.EtherType;
import io.jrump.wire.IcmpCode;
import io.jrump.wire.IcmpType;
import io.jrump.wire.IpProtocol;
import io.jrump.wire.Ipv4Packet;
import io.jrump.wire.UdpPacket;
import io.jrump.wire.UdpRepr;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * UDP on one kernel with an injected peer (RFC 768, RFC 1122 section 4.1): delivery with the sender's
 * address, the checksum checked when present (RFC 1122 section 4.1.3.4) and accepted when zero,
 * length checks, port unreachable for a closed port quoting the datagram (RFC 1122 section 4.1.3.1),
 * broadcasts to every listener and never answered with an error, and what a send puts on the wire.
 */
class UdpTest {
    private static final int PORT = 7000;
    private static final int PEER_PORT = 40000;
    private static final byte[] DATA = NetTestContext.bytes(100, 7);
    /** Where the UDP checksum field is in a datagram with a 20-byte IP header. */
    private static final int CHECKSUM = Ipv4Packet.HEADER_LEN + 6;

    private static byte[] datagram(int dst, int dport) {
        return NetTestContext.udp(REMOTE, PEER_PORT, dst, dport, DATA);
    }

    private static long udp(NetTestContext c, String counter) {
        return c.inet.udp().stats().get(counter);
    }

    @Test
    void datagramIsDeliveredWithTheSendersAddress() throws Exception {
        try (NetTestContext c = new NetTestContext(1)) {
            int fd = c.udpSocket(0, PORT);
            c.injectIp(datagram(LOCAL, PORT));
            NetTestContext.Received r = c.receive(fd);
            assertArrayEquals(DATA, r.data());
            assertEquals(REMOTE, r.from(), "recvfrom's address");
            assertEquals(PEER_PORT, r.fromPort(), "recvfrom's port");
            assertNull(c.receive(fd), "one datagram, once");
            c.expectNoFrame("a delivered datagram is not answered");
        }
    }

    @Test
    void badChecksumIsDroppedAndCounted() throws Exception {
        try (NetTestContext c = new NetTestContext(1)) {
            int fd = c.udpSocket(0, PORT);
            byte[] bad = datagram(LOCAL, PORT);
            bad[bad.length - 1] ^= 0x10;
            c.injectIp(bad);
            assertNull(c.receive(fd), "a damaged datagram is not delivered");
            assertEquals(1, udp(c, "with bad checksum"));
            c.expectNoFrame("nor answered");
            c.injectIp(datagram(LOCAL, PORT));
            assertArrayEquals(DATA, c.receive(fd).data(), "the intact one is");
        }
    }

    /** RFC 768: a zero checksum means the sender computed none; the datagram is taken as it is. */
    @Test
    void zeroChecksumIsAccepted() throws Exception {
        try (NetTestContext c = new NetTestContext(1)) {
            int fd = c.udpSocket(0, PORT);
            byte[] d = datagram(LOCAL, PORT);
            d[CHECKSUM] = 0;
            d[CHECKSUM + 1] = 0;
            c.injectIp(d);
            assertArrayEquals(DATA, c.receive(fd).data());
            assertEquals(1, udp(c, "with no checksum"));
        }
    }

    @Test
    void badLengthsAreDroppedAndCounted() throws Exception {
        try (NetTestContext c = new NetTestContext(1)) {
            int fd = c.udpSocket(0, PORT);
            byte[] longer = datagram(LOCAL, PORT);
            new UdpPacket().wrap(longer, Ipv4Packet.HEADER_LEN, longer.length - Ipv4Packet.HEADER_LEN)
                    .setUdpLength(DATA.length + UdpPacket.HEADER_LEN + 1);
            c.injectIp(longer);
            byte[] belowHeader = datagram(LOCAL, PORT);
            new UdpPacket().wrap(belowHeader, Ipv4Packet.HEADER_LEN, belowHeader.length - Ipv4Packet.HEADER_LEN)
                    .setUdpLength(7);
            c.injectIp(belowHeader);
            c.readerLooks(fd);
            assertEquals(2, udp(c, "with bad data length field"));
            c.injectIp(NetTestContext.ipv4(REMOTE, LOCAL, IpProtocol.UDP, 64, new byte[5]));
            assertEquals(1, udp(c, "with incomplete header"));
            assertNull(c.receive(fd));
            c.expectNoFrame("malformed datagrams are not answered");
        }
    }

    /** A UDP length shorter than the IP payload: the datagram ends where UDP says, the rest is dropped. */
    @Test
    void udpLengthTrimsTheDatagram() throws Exception {
        try (NetTestContext c = new NetTestContext(1)) {
            int fd = c.udpSocket(0, PORT);
            byte[] u = new byte[UdpPacket.HEADER_LEN + DATA.length + 12];
            System.arraycopy(DATA, 0, u, UdpPacket.HEADER_LEN, DATA.length);
            UdpPacket view = new UdpPacket().wrap(u, 0, UdpPacket.HEADER_LEN + DATA.length);
            new UdpRepr(PEER_PORT, PORT, DATA.length).emit(view, REMOTE, LOCAL);
            c.injectIp(NetTestContext.ipv4(REMOTE, LOCAL, IpProtocol.UDP, 64, u));
            assertArrayEquals(DATA, c.receive(fd).data());
        }
    }

    @Test
    void closedPortIsAnsweredWithPortUnreachableQuotingTheDatagram() throws Exception {
        try (NetTestContext c = new NetTestContext(1)) {
            c.udpSocket(0, PORT);
            byte[] d = datagram(LOCAL, PORT + 1);
            c.injectIp(d);
            byte[] icmp = c.expectIcmp(IcmpType.DESTINATION_UNREACHABLE, IcmpCode.PORT_UNREACHABLE);
            assertEquals(8 + 28, icmp.length, "header, and the datagram's IP header and 8 bytes (RFC 792)");
            assertArrayEquals(Arrays.copyOf(d, 28), Arrays.copyOfRange(icmp, 8, icmp.length),
                    "the quote: IP header and UDP header as received");
            assertEquals(1, udp(c, "dropped due to no socket"));
            c.expectNoFrame("one error");
        }
    }

    /**
     * A broadcast reaches the sockets bound to its port on the wildcard address, not one bound to our
     * unicast address (as BSD's {@code udp_input}); nobody listening draws no error (RFC 1122 section
     * 4.1.3.1).
     */
    @Test
    void broadcastReachesEveryListenerAndIsNeverAnsweredWithAnError() throws Exception {
        try (NetTestContext c = new NetTestContext(1)) {
            int any = c.sys.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM | SocketDefs.SOCK_NONBLOCK, 0);
            c.sys.setsockopt(any, SocketDefs.SOL_SOCKET, SocketDefs.SO_REUSEPORT, 1);
            c.sys.bind(any, SockAddr.in(0, PORT));
            int unicast = c.sys.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM | SocketDefs.SOCK_NONBLOCK, 0);
            c.sys.setsockopt(unicast, SocketDefs.SOL_SOCKET, SocketDefs.SO_REUSEPORT, 1);
            c.sys.bind(unicast, SockAddr.in(LOCAL, PORT));
            c.injectIp(datagram(BROADCAST, PORT));
            assertArrayEquals(DATA, c.receive(any).data(), "the wildcard socket");
            assertNull(c.receive(unicast), "not the socket bound to our unicast address");
            c.injectIp(datagram(BROADCAST, PORT + 1));
            c.expectNoFrame("no error for a broadcast nobody takes");
            assertEquals(1, udp(c, "broadcast/multicast datagrams dropped due to no socket"));
            assertEquals(0, udp(c, "dropped due to no socket"));
        }
    }

    @Test
    void sendPutsHeaderAndChecksumOnTheWire() throws Exception {
        try (NetTestContext c = new NetTestContext(1)) {
            int fd = c.udpSocket(0, PORT);
            c.sys.sendto(fd, ByteBuffer.wrap(DATA), 0, SockAddr.in(REMOTE, 9));
            Ipv4Packet ip = c.expectFrame(EtherType.IPV4, "the datagram").ip();
            assertEquals(IpProtocol.UDP, ip.protocol());
            assertEquals(LOCAL, ip.source());
            assertEquals(REMOTE, ip.destination());
            byte[] u = Arrays.copyOfRange(ip.buffer(), ip.payloadOffset(), ip.payloadOffset() + ip.payloadLength());
            UdpRepr r = UdpRepr.parse(new UdpPacket().wrap(u, 0, u.length), LOCAL, REMOTE);
            assertEquals(new UdpRepr(PORT, 9, DATA.length), r, "ports and length, checksum verified");
            assertArrayEquals(DATA, Arrays.copyOfRange(u, UdpPacket.HEADER_LEN, u.length));
            assertEquals(1, udp(c, "datagrams output"));
        }
    }
}
