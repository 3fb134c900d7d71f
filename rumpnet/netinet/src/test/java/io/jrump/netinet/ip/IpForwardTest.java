package io.jrump.netinet.ip;

import static io.jrump.netinet.NetTestContext.LOCAL;
import static io.jrump.netinet.NetTestContext.REMOTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.jrump.netinet.NetTestContext;
import io.jrump.wire.EtherType;
import io.jrump.wire.IcmpCode;
import io.jrump.wire.IcmpType;
import io.jrump.wire.Ipv4Address;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Datagrams not addressed to us (RFC 1122 section 3.3.4, RFC 1812 section 5.2): a host drops them
 * undelivered; with {@code net.inet.ip.forwarding} a router sends them on with the TTL one less and
 * the header checksum updated, and answers one whose TTL runs out with time exceeded.
 */
class IpForwardTest {
    private static final int PORT = 7000;
    /** Another host on the link: not us, and reached without a gateway. */
    private static final int OTHER = Ipv4Address.parse("198.18.0.77");
    private static final byte[] DATA = NetTestContext.bytes(64, 9);

    @Test
    void datagramForAnotherHostIsNotDelivered() throws Exception {
        try (NetTestContext c = new NetTestContext(1)) {
            int fd = c.udpSocket(0, PORT);
            c.injectIp(NetTestContext.udp(REMOTE, 40000, OTHER, PORT, DATA));
            assertNull(c.receive(fd), "a wildcard socket does not get another host's datagram");
            assertEquals(1, c.inet.ipStats().get("packets not forwardable"));
            assertEquals(0, c.inet.ipStats().get("packets for this host"));
            c.expectNoFrame("a host neither forwards nor answers");
            c.injectIp(NetTestContext.udp(REMOTE, 40000, LOCAL, PORT, DATA));
            assertArrayEquals(DATA, c.receive(fd).data(), "the same datagram to our address is delivered");
        }
    }

    @Test
    void routerForwardsWithTheTtlDecremented() throws Exception {
        try (NetTestContext c = new NetTestContext(1)) {
            c.sys.sysctlWrite("net.inet.ip.forwarding", "1");
            byte[] in = NetTestContext.udp(REMOTE, 40000, OTHER, PORT, DATA);
            c.injectIp(in);
            byte[] out = c.expectFrame(EtherType.IPV4, "the forwarded datagram").payload();
            byte[] want = in.clone();
            want[8] = 63;
            assertArrayEquals(NetTestContext.resum(want), out, "the same datagram, TTL 63, checksum updated");
            assertEquals(1, c.inet.ipStats().get("packets forwarded"));
        }
    }

    @Test
    void ttlRunningOutIsAnsweredWithTimeExceeded() throws Exception {
        try (NetTestContext c = new NetTestContext(1)) {
            c.sys.sysctlWrite("net.inet.ip.forwarding", "1");
            byte[] in = NetTestContext.udp(REMOTE, 40000, OTHER, PORT, DATA);
            in[8] = 1;
            c.injectIp(NetTestContext.resum(in));
            byte[] icmp = c.expectIcmp(IcmpType.TIME_EXCEEDED, IcmpCode.TTL_EXCEEDED);
            assertArrayEquals(Arrays.copyOf(in, 28), Arrays.copyOfRange(icmp, 8, icmp.length), "the quote");
            assertEquals(1, c.inet.ipStats().get("packets whose TTL ran out here"));
            c.expectNoFrame("the datagram itself goes no further");
        }
    }
}
