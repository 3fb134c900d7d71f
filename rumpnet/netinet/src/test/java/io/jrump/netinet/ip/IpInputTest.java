package io.jrump.netinet.ip;

import static io.jrump.netinet.NetTestContext.LOCAL;
import static io.jrump.netinet.NetTestContext.REMOTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.netinet.Counters;
import io.jrump.netinet.NetTestContext;
import io.jrump.wire.EtherType;
import io.jrump.wire.IcmpCode;
import io.jrump.wire.IcmpType;
import io.jrump.wire.IpProtocol;
import io.jrump.wire.Ipv4Address;
import io.jrump.wire.Ipv4Packet;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * IP input on one kernel with an injected peer (RFC 791 section 3.2, RFC 1122 section 3.2.1): what a
 * malformed header costs (dropped, counted, nothing delivered, nothing answered), which source
 * addresses are refused, what the TTL does on the way in and out, and protocol unreachable for a
 * protocol nobody handles. Each rejection is shown against the same datagram intact, delivered.
 */
class IpInputTest {
    private static final int PORT = 7000;
    private static final byte[] DATA = NetTestContext.bytes(100, 1);

    private static byte[] datagram() {
        return NetTestContext.udp(REMOTE, 40000, LOCAL, PORT, DATA);
    }

    private static long ip(NetTestContext c, String counter) {
        Counters st = c.inet.ipStats();
        return st.get(counter);
    }

    /** Injects {@code bad}, which must be dropped, counted under {@code counter}, and answered by nothing. */
    private static void rejected(NetTestContext c, int fd, byte[] bad, String counter) throws Exception {
        long before = ip(c, counter);
        c.injectIp(bad);
        c.readerLooks(fd);
        assertEquals(before + 1, ip(c, counter), counter);
        assertNull(c.receive(fd), "nothing delivered after " + counter);
        c.expectNoFrame("a rejected datagram is not answered");
    }

    @Test
    void badHeaderChecksumIsDroppedAndCounted() throws Exception {
        try (NetTestContext c = new NetTestContext(1)) {
            int fd = c.udpSocket(0, PORT);
            byte[] bad = datagram();
            bad[10] ^= 0x40;
            rejected(c, fd, bad, "bad header checksums");
            assertEquals(0, ip(c, "packets for this host"));
            c.injectIp(datagram());
            assertArrayEquals(DATA, c.receive(fd).data(), "the intact datagram is delivered");
            assertEquals(1, ip(c, "packets for this host"));
            assertEquals(2, ip(c, "total packets received"));
        }
    }

    @Test
    void malformedHeadersAreDroppedAndCounted() throws Exception {
        try (NetTestContext c = new NetTestContext(1)) {
            int fd = c.udpSocket(0, PORT);
            byte[] v6 = datagram();
            v6[0] = 0x65;
            rejected(c, fd, NetTestContext.resum(v6), "with incorrect version number");
            byte[] shortHeader = datagram();
            shortHeader[0] = 0x44;
            rejected(c, fd, NetTestContext.resum(shortHeader), "with header length < data size");
            byte[] longer = datagram();
            new Ipv4Packet().wrap(longer, 0, longer.length).setTotalLength(longer.length + 1);
            rejected(c, fd, NetTestContext.resum(longer), "with data size < data length");
            byte[] belowHeader = datagram();
            new Ipv4Packet().wrap(belowHeader, 0, belowHeader.length).setTotalLength(16);
            rejected(c, fd, NetTestContext.resum(belowHeader), "with data length < header length");
            rejected(c, fd, Arrays.copyOf(datagram(), 19), "with size smaller than minimum");
            c.injectIp(datagram());
            assertNotNull(c.receive(fd), "the intact datagram is delivered");
        }
    }

    /** Link padding after the datagram's total length is trimmed before the transport sees it. */
    @Test
    void linkPaddingIsTrimmed() throws Exception {
        try (NetTestContext c = new NetTestContext(1)) {
            int fd = c.udpSocket(0, PORT);
            c.injectIp(Arrays.copyOf(datagram(), datagram().length + 18));
            assertArrayEquals(DATA, c.receive(fd).data());
        }
    }

    /** RFC 1122 section 3.2.1.3: a source that is multicast, broadcast or, off lo0, loopback is refused. */
    @Test
    void impossibleSourcesAreRefused() throws Exception {
        try (NetTestContext c = new NetTestContext(1)) {
            int fd = c.udpSocket(0, PORT);
            for (String src : new String[] {"224.0.0.1", "255.255.255.255", "127.0.0.1"}) {
                rejected(c, fd, NetTestContext.udp(Ipv4Address.parse(src), 40000, LOCAL, PORT, DATA),
                        "packets with a bad source address");
            }
        }
    }

    /**
     * The TTL matters only to a router: a datagram for us with TTL 1 is delivered. Ours leave with
     * {@code net.inet.ip.ttl}, or the socket's {@code IP_TTL}.
     */
    @Test
    void ttlOnTheWayInAndOut() throws Exception {
        try (NetTestContext c = new NetTestContext(1)) {
            int fd = c.udpSocket(0, PORT);
            byte[] d = datagram();
            d[8] = 1;
            c.injectIp(NetTestContext.resum(d));
            assertArrayEquals(DATA, c.receive(fd).data(), "TTL 1 is delivered to its destination");
            c.sys.sendto(fd, ByteBuffer.wrap(DATA), 0, SockAddr.in(REMOTE, 9));
            c.settle();
            assertEquals(64, c.expectFrame(EtherType.IPV4, "datagram").ip().ttl(), "default TTL");
            c.sys.setsockopt(fd, SocketDefs.IPPROTO_IP, SocketDefs.IP_TTL, 7);
            c.sys.sendto(fd, ByteBuffer.wrap(DATA), 0, SockAddr.in(REMOTE, 9));
            c.settle();
            assertEquals(7, c.expectFrame(EtherType.IPV4, "datagram").ip().ttl(), "IP_TTL");
            c.sys.sysctlWrite("net.inet.ip.ttl", "100");
            int fd2 = c.udpSocket(0, PORT + 1);
            c.sys.sendto(fd2, ByteBuffer.wrap(DATA), 0, SockAddr.in(REMOTE, 9));
            c.settle();
            assertEquals(100, c.expectFrame(EtherType.IPV4, "datagram").ip().ttl(),
                    "net.inet.ip.ttl for a new socket");
        }
    }

    /**
     * RFC 1122 section 3.2.2.1: a protocol nobody handles is answered with protocol unreachable,
     * quoting the datagram's header and first eight bytes (RFC 792).
     */
    @Test
    void unknownProtocolIsAnsweredWithProtocolUnreachable() throws Exception {
        try (NetTestContext c = new NetTestContext(1)) {
            byte[] d = NetTestContext.ipv4(REMOTE, LOCAL, 253, 64, NetTestContext.bytes(40, 3));
            c.injectIp(d);
            byte[] icmp = c.expectIcmp(IcmpType.DESTINATION_UNREACHABLE, IcmpCode.PROTOCOL_UNREACHABLE);
            assertArrayEquals(Arrays.copyOf(d, 28), Arrays.copyOfRange(icmp, 8, icmp.length), "the quote");
            assertEquals(1, ip(c, "packets for unknown/unsupported protocol"));
            c.expectNoFrame("one error");
        }
    }

    /** A datagram for a protocol that is handled (ICMP) draws no protocol unreachable. */
    @Test
    void knownProtocolDrawsNoProtocolUnreachable() throws Exception {
        try (NetTestContext c = new NetTestContext(1)) {
            c.injectIp(NetTestContext.ipv4(REMOTE, LOCAL, IpProtocol.ICMP, 64, new byte[] {13, 0, 0, 0}));
            c.expectNoFrame("a short ICMP message is dropped, not answered");
            assertEquals(0, ip(c, "packets for unknown/unsupported protocol"));
        }
    }
}
