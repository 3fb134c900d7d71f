package io.jrump.netinet.icmp;

import static io.jrump.netinet.NetTestContext.BROADCAST;
import static io.jrump.netinet.NetTestContext.LOCAL;
import static io.jrump.netinet.NetTestContext.REMOTE;
import static io.jrump.netinet.NetTestContext.SEC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jrump.hypercall.Errno;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.netinet.NetTestContext;
import io.jrump.wire.IcmpCode;
import io.jrump.wire.IcmpPacket;
import io.jrump.wire.IcmpRepr;
import io.jrump.wire.IcmpType;
import io.jrump.wire.IpProtocol;
import io.jrump.wire.Ipv4Address;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * ICMP on one kernel with an injected peer (RFC 792, RFC 1122 section 3.2.2): echo answered with the
 * request's identifier, sequence number and data; broadcast echo ignored unless enabled; errors rate
 * limited; no error about an ICMP error or a later fragment; and an error received reaching the
 * connected socket whose datagram it quotes.
 */
class IcmpTest {
    private static final int ID = 0x4a11;
    private static final int SEQ = 7;
    private static final byte[] PAYLOAD = NetTestContext.bytes(56, 2);

    /** An echo request (type 8) with {@link #ID}, {@link #SEQ} and {@link #PAYLOAD}, checksummed. */
    private static byte[] echoRequest() {
        byte[] icmp = new byte[IcmpPacket.HEADER_LEN + PAYLOAD.length];
        System.arraycopy(PAYLOAD, 0, icmp, IcmpPacket.HEADER_LEN, PAYLOAD.length);
        IcmpRepr.Echo.request(ID, SEQ, PAYLOAD.length).emit(new IcmpPacket().wrap(icmp, 0, icmp.length));
        return icmp;
    }

    /** An ICMP error of {@code type}/{@code code} quoting the first 28 bytes of {@code about}, checksummed. */
    private static byte[] error(int type, int code, byte[] about) {
        byte[] icmp = new byte[IcmpPacket.HEADER_LEN + 28];
        System.arraycopy(about, 0, icmp, IcmpPacket.HEADER_LEN, 28);
        IcmpPacket p = new IcmpPacket().wrap(icmp, 0, icmp.length);
        p.setType(type);
        p.setCode(code);
        p.fillChecksum();
        return icmp;
    }

    private static long icmp(NetTestContext c, String counter) {
        return c.inet.icmp().stats().get(counter);
    }

    @Test
    void echoRequestIsAnsweredWithTheSameIdSequenceAndData() throws Exception {
        try (NetTestContext c = new NetTestContext(1)) {
            byte[] request = echoRequest();
            c.injectIp(NetTestContext.ipv4(REMOTE, LOCAL, IpProtocol.ICMP, 64, request));
            byte[] reply = c.expectIcmp(IcmpType.ECHO_REPLY, 0);
            byte[] want = request.clone();
            want[0] = IcmpType.ECHO_REPLY;
            IcmpPacket w = new IcmpPacket().wrap(want, 0, want.length);
            w.setChecksum(0);
            w.fillChecksum();
            assertArrayEquals(want, reply, "the request turned around: type 0, same id, seq and data");
            assertEquals(1, icmp(c, "echo replies sent"));
            c.expectNoFrame("one reply");
        }
    }

    @Test
    void echoWithABadChecksumIsNotAnswered() throws Exception {
        try (NetTestContext c = new NetTestContext(1)) {
            byte[] request = echoRequest();
            request[IcmpPacket.HEADER_LEN] ^= 1;
            c.injectIp(NetTestContext.ipv4(REMOTE, LOCAL, IpProtocol.ICMP, 64, request));
            c.expectNoFrame("a damaged request");
            assertEquals(1, icmp(c, "bad checksums"));
        }
    }

    /** RFC 1122 section 3.2.2.6: answering broadcast echo is a choice, off by default as on NetBSD. */
    @Test
    void broadcastEchoIsIgnoredUnlessEnabled() throws Exception {
        try (NetTestContext c = new NetTestContext(1)) {
            byte[] request = NetTestContext.ipv4(REMOTE, BROADCAST, IpProtocol.ICMP, 64, echoRequest());
            c.injectIp(request);
            c.expectNoFrame("broadcast echo is ignored");
            assertEquals(1, icmp(c, "broadcast/multicast echo requests ignored"));
            c.sys.sysctlWrite("net.inet.icmp.bmcastecho", "1");
            c.injectIp(request);
            c.expectIcmp(IcmpType.ECHO_REPLY, 0);
        }
    }

    /** {@code net.inet.icmp.errppslimit} errors a second, as a token bucket on the kernel's clock. */
    @Test
    void errorsAreRateLimited() throws Exception {
        try (NetTestContext c = new NetTestContext(1)) {
            c.sys.sysctlWrite("net.inet.icmp.errppslimit", "2");
            byte[] closed = NetTestContext.udp(REMOTE, 40000, LOCAL, 9, PAYLOAD);
            for (int i = 0; i < 3; i++) {
                c.injectIp(closed);
            }
            c.expectIcmp(IcmpType.DESTINATION_UNREACHABLE, IcmpCode.PORT_UNREACHABLE);
            c.expectIcmp(IcmpType.DESTINATION_UNREACHABLE, IcmpCode.PORT_UNREACHABLE);
            c.expectNoFrame("the third error in the same second");
            assertEquals(1, icmp(c, "errors not sent due to rate limit"));
            c.advance(SEC);
            c.injectIp(closed);
            c.expectIcmp(IcmpType.DESTINATION_UNREACHABLE, IcmpCode.PORT_UNREACHABLE);
        }
    }

    /**
     * RFC 1122 section 3.2.2: no error about an ICMP error, nor about a fragment other than the first.
     * A router whose TTL runs out on those stays silent, while an echo request's draws time exceeded.
     */
    @Test
    void noErrorAboutAnErrorOrALaterFragment() throws Exception {
        try (NetTestContext c = new NetTestContext(1)) {
            c.sys.sysctlWrite("net.inet.ip.forwarding", "1");
            int other = Ipv4Address.parse("198.18.0.77");
            byte[] quoted = NetTestContext.udp(other, 5000, REMOTE, 6000, PAYLOAD);
            byte[] anError = NetTestContext.ipv4(REMOTE, other, IpProtocol.ICMP, 1,
                    error(IcmpType.DESTINATION_UNREACHABLE, IcmpCode.PORT_UNREACHABLE, quoted));
            c.injectIp(anError);
            c.expectNoFrame("no error about an error");
            assertEquals(1, icmp(c, "errors not sent because the old message was an icmp error or a broadcast"));
            byte[] later = NetTestContext.fragment(NetTestContext.ipv4(REMOTE, other, IpProtocol.UDP, 1,
                    NetTestContext.bytes(64, 4)), 99, 32, 32, false);
            c.injectIp(later);
            c.expectNoFrame("no error about a later fragment");
            c.injectIp(NetTestContext.ipv4(REMOTE, other, IpProtocol.ICMP, 1, echoRequest()));
            c.expectIcmp(IcmpType.TIME_EXCEEDED, IcmpCode.TTL_EXCEEDED);
        }
    }

    /**
     * An error received goes to the transport that sent the quoted datagram: a connected UDP socket
     * learns ECONNREFUSED from port unreachable; an unconnected one is not told (as BSD's
     * {@code udp_ctlinput}).
     */
    @Test
    void portUnreachableReachesTheConnectedSocket() throws Exception {
        try (NetTestContext c = new NetTestContext(1)) {
            int connected = c.udpSocket(0, 7000);
            c.sys.connect(connected, SockAddr.in(REMOTE, 9));
            int unconnected = c.udpSocket(0, 7001);
            for (int port : new int[] {7000, 7001}) {
                byte[] ours = NetTestContext.udp(LOCAL, port, REMOTE, 9, PAYLOAD);
                c.injectIp(NetTestContext.ipv4(REMOTE, LOCAL, IpProtocol.ICMP, 64,
                        error(IcmpType.DESTINATION_UNREACHABLE, IcmpCode.PORT_UNREACHABLE, ours)));
            }
            assertEquals(Errno.ECONNREFUSED, c.sys.getsockopt(connected, SocketDefs.SOL_SOCKET, SocketDefs.SO_ERROR));
            assertEquals(0, c.sys.getsockopt(unconnected, SocketDefs.SOL_SOCKET, SocketDefs.SO_ERROR));
            assertEquals(2, icmp(c, "destination unreachable received"));
            c.expectNoFrame("errors are not answered");
        }
    }

    /** The echo reply's bytes do not depend on the request having gone through a fragmented path. */
    @Test
    void fragmentedEchoRequestIsAnsweredWhole() throws Exception {
        try (NetTestContext c = new NetTestContext(1)) {
            byte[] whole = NetTestContext.ipv4(REMOTE, LOCAL, IpProtocol.ICMP, 64, echoRequest());
            c.injectIp(NetTestContext.fragment(whole, 5, 32, whole.length - 20 - 32, false));
            c.injectIp(NetTestContext.fragment(whole, 5, 0, 32, true));
            byte[] reply = c.expectIcmp(IcmpType.ECHO_REPLY, 0);
            assertArrayEquals(PAYLOAD, Arrays.copyOfRange(reply, IcmpPacket.HEADER_LEN, reply.length));
        }
    }
}
