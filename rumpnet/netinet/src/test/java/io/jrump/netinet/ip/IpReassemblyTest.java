package io.jrump.netinet.ip;

import static io.jrump.netinet.NetTestContext.LOCAL;
import static io.jrump.netinet.NetTestContext.REMOTE;
import static io.jrump.netinet.NetTestContext.SEC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.jrump.netinet.NetTestContext;
import io.jrump.wire.IcmpCode;
import io.jrump.wire.IcmpType;
import io.jrump.wire.Ipv4Packet;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Reassembly on one kernel (RFC 791 section 3.2, RFC 815): fragments in any order make the datagram
 * the socket receives; an identical duplicate is harmless; an overlap (the teardrop attack) or a
 * datagram that would pass 65535 bytes (the ping of death) drops it all; a datagram still incomplete
 * after 30 seconds is abandoned, with time exceeded if its first fragment came (RFC 1122 3.2.2.4).
 */
class IpReassemblyTest {
    private static final int PORT = 7000;
    private static final byte[] DATA = NetTestContext.bytes(1200, 5);
    /** The UDP datagram the fragments are cut from: 20 + 8 + 1200 bytes, fragment data in 8-byte units. */
    private static final byte[] WHOLE = NetTestContext.udp(REMOTE, 40000, LOCAL, PORT, DATA);
    private static final int ID = 0x1234;

    private static byte[] frag(int off, int len, boolean more) {
        return NetTestContext.fragment(WHOLE, ID, off, len, more);
    }

    private static long ip(NetTestContext c, String counter) {
        return c.inet.ipStats().get(counter);
    }

    @Test
    void fragmentsInAnyOrderAreReassembledAndDelivered() throws Exception {
        try (NetTestContext c = new NetTestContext(1)) {
            int fd = c.udpSocket(0, PORT);
            c.injectIp(frag(800, 408, false));
            c.injectIp(frag(0, 400, true));
            assertNull(c.receive(fd), "nothing before the last piece");
            assertEquals(1, c.inet.reassembliesInProgress());
            c.injectIp(frag(400, 400, true));
            assertArrayEquals(DATA, c.receive(fd).data());
            assertEquals(3, ip(c, "fragments received"));
            assertEquals(1, ip(c, "packets reassembled ok"));
            assertEquals(0, c.inet.reassembliesInProgress());
            c.expectNoFrame("a reassembled datagram for an open port needs no answer");
        }
    }

    @Test
    void identicalDuplicateIsDroppedAndTheDatagramStillCompletes() throws Exception {
        try (NetTestContext c = new NetTestContext(1)) {
            int fd = c.udpSocket(0, PORT);
            c.injectIp(frag(0, 400, true));
            c.injectIp(frag(0, 400, true));
            assertEquals(1, ip(c, "fragments dropped (dup or out of space)"));
            c.injectIp(frag(400, 400, true));
            c.injectIp(frag(800, 408, false));
            assertArrayEquals(DATA, c.receive(fd).data());
        }
    }

    @Test
    void overlappingFragmentDropsTheWholeDatagram() throws Exception {
        try (NetTestContext c = new NetTestContext(1)) {
            int fd = c.udpSocket(0, PORT);
            c.injectIp(frag(0, 400, true));
            c.injectIp(frag(200, 400, true));
            assertEquals(1, ip(c, "fragments dropped for overlapping data"));
            assertEquals(0, c.inet.reassembliesInProgress(), "what was queued is freed");
            c.injectIp(frag(400, 400, true));
            c.injectIp(frag(800, 408, false));
            assertNull(c.receive(fd), "the rest cannot complete it without fragment zero");
            c.advance(31 * SEC);
            assertEquals(2, ip(c, "fragments dropped after timeout"));
            c.expectNoFrame("no time exceeded without the first fragment");
        }
    }

    /** Two last fragments that disagree on the datagram's length are an attack like an overlap. */
    @Test
    void conflictingEndsDropTheDatagram() throws Exception {
        try (NetTestContext c = new NetTestContext(1)) {
            c.injectIp(frag(800, 408, false));
            c.injectIp(frag(400, 400, false));
            assertEquals(1, ip(c, "fragments dropped for overlapping data"));
            assertEquals(0, c.inet.reassembliesInProgress());
        }
    }

    @Test
    void fragmentPast65535BytesIsRejected() throws Exception {
        try (NetTestContext c = new NetTestContext(1)) {
            byte[] big = new byte[20 + 100];
            System.arraycopy(WHOLE, 0, big, 0, 20);
            byte[] f = NetTestContext.fragment(big, ID, 0, 100, false);
            new Ipv4Packet().wrap(f, 0, f.length).setFlagsAndFragmentOffset(false, false, 65528);
            c.injectIp(NetTestContext.resum(f));
            assertEquals(1, ip(c, "datagrams longer than 65535 bytes after reassembly"));
            assertEquals(0, c.inet.reassembliesInProgress(), "nothing is held for it");
        }
    }

    @Test
    void incompleteDatagramTimesOutWithTimeExceeded() throws Exception {
        try (NetTestContext c = new NetTestContext(1)) {
            c.udpSocket(0, PORT);
            byte[] first = frag(0, 400, true);
            c.injectIp(first);
            c.advance(29 * SEC);
            c.expectNoFrame("30 seconds are given");
            assertEquals(1, c.inet.reassembliesInProgress());
            c.advance(2 * SEC);
            byte[] icmp = c.expectIcmp(IcmpType.TIME_EXCEEDED, IcmpCode.REASSEMBLY_EXCEEDED);
            assertArrayEquals(Arrays.copyOf(first, 28), Arrays.copyOfRange(icmp, 8, icmp.length),
                    "the first fragment's header and eight bytes are quoted");
            assertEquals(1, ip(c, "fragments dropped after timeout"));
            assertEquals(0, c.inet.reassembliesInProgress());
        }
    }
}
