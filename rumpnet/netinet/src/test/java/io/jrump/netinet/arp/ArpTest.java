package io.jrump.netinet.arp;

import static io.jrump.netinet.NetTestContext.LOCAL;
import static io.jrump.netinet.NetTestContext.LOCAL_MAC;
import static io.jrump.netinet.NetTestContext.REMOTE;
import static io.jrump.netinet.NetTestContext.REMOTE_MAC;
import static io.jrump.netinet.NetTestContext.SEC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.kern.Cred;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.net.IfIoctl;
import io.jrump.net.IfReq;
import io.jrump.net.Interfaces;
import io.jrump.netinet.NetTestContext;
import io.jrump.wire.ArpPacket;
import io.jrump.wire.ArpRepr;
import io.jrump.wire.EtherType;
import io.jrump.wire.Ipv4Address;
import io.jrump.wire.MacAddress;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ARP on one kernel with an injected neighbour (RFC 826): requests for our address answered, byte for
 * byte; resolution holding a datagram until the reply; gratuitous announcements; and what is not
 * learned (requests between other hosts) or not believed (a neighbour using our address).
 */
class ArpTest {
    private static final byte[] DATA = NetTestContext.bytes(32, 3);
    private static final long NEW_MAC = 0x0200_0000_0003L;

    private static NetTestContext arpContext() throws Exception {
        return new NetTestContext(1, true);
    }

    private static byte[] arp(ArpRepr r) {
        byte[] b = new byte[ArpPacket.ETHERNET_IPV4_LEN];
        r.emit(new ArpPacket().wrap(b, 0, b.length));
        return b;
    }

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    /** Sends a datagram to the peer's discard port, from a fresh socket. */
    private static void sendToPeer(NetTestContext c) throws Exception {
        int fd = c.udpSocket(0, 0);
        c.sys.sendto(fd, ByteBuffer.wrap(DATA), 0, SockAddr.in(REMOTE, 9));
        c.settle();
    }

    private static long arpStat(NetTestContext c, String counter) {
        return c.inet.arp().stats().get(counter);
    }

    @Test
    void requestForOurAddressIsAnsweredWithTheReply() throws Exception {
        try (NetTestContext c = arpContext()) {
            c.injectEther(MacAddress.BROADCAST.bits(), EtherType.ARP, arp(ArpRepr.request(REMOTE_MAC, REMOTE, LOCAL)));
            byte[] reply = c.expectFrame(EtherType.ARP, "the ARP reply").bytes();
            assertArrayEquals(hex("020000000002 020000000001 0806"
                    + " 0001 0800 06 04 0002 020000000001 c6120001 020000000002 c6120002"), reply,
                    "to the asker, from us: reply, our MAC and address, the asker's MAC and address");
            List<ArpInfo> table = c.inet.arp().list();
            assertEquals(1, table.size(), "the asker is learned (RFC 826: the request was for us)");
            assertEquals(REMOTE_MAC, table.get(0).mac());
            assertTrue(table.get(0).complete());
            sendToPeer(c);
            assertEquals(REMOTE_MAC, c.expectFrame(EtherType.IPV4, "the datagram").destinationMac(),
                    "sent at once, without asking");
        }
    }

    @Test
    void resolutionHoldsTheDatagramUntilTheReply() throws Exception {
        try (NetTestContext c = arpContext()) {
            sendToPeer(c);
            byte[] request = c.expectFrame(EtherType.ARP, "the ARP request").bytes();
            assertArrayEquals(hex("ffffffffffff 020000000001 0806"
                    + " 0001 0800 06 04 0001 020000000001 c6120001 000000000000 c6120002"), request,
                    "broadcast: who has the peer's address, tell us");
            c.expectNoFrame("the datagram waits for the answer");
            c.injectEther(LOCAL_MAC, EtherType.ARP,
                    arp(new ArpRepr(ArpPacket.OP_REPLY, REMOTE_MAC, REMOTE, LOCAL_MAC, LOCAL)));
            NetTestContext.Frame held = c.expectFrame(EtherType.IPV4, "the held datagram");
            assertEquals(REMOTE_MAC, held.destinationMac());
            assertEquals(1, arpStat(c, "packets held"));
            sendToPeer(c);
            assertEquals(REMOTE_MAC, c.expectFrame(EtherType.IPV4, "the next datagram").destinationMac());
        }
    }

    /** Requests are repeated at most once a second, and a neighbour that never answers is given up. */
    @Test
    void unansweredResolutionIsRepeatedOnceASecondThenGivenUp() throws Exception {
        try (NetTestContext c = arpContext()) {
            sendToPeer(c);
            c.expectFrame(EtherType.ARP, "the first request");
            c.advance(500 * NetTestContext.MS);
            sendToPeer(c);
            c.expectNoFrame("no second request within the second");
            c.advance(500 * NetTestContext.MS);
            sendToPeer(c);
            c.expectFrame(EtherType.ARP, "the second request");
            c.advance(6 * SEC);
            c.expectNoFrame("the held datagrams are dropped, not sent");
            assertEquals(List.of(), c.inet.arp().list());
            assertEquals(1, arpStat(c, "resolution timeouts"));
        }
    }

    @Test
    void assigningAnAddressAnnouncesItWithGratuitousArp() throws Exception {
        try (NetTestContext c = arpContext()) {
            IfReq r = new IfReq("tst0");
            r.addr = Ipv4Address.parse("198.18.0.5");
            r.netmask = Ipv4Address.netmask(24);
            c.kernel.service(Interfaces.class).ioctl(IfIoctl.SIOCAIFADDR, r, Cred.ROOT);
            c.settle();
            assertArrayEquals(hex("ffffffffffff 020000000001 0806"
                    + " 0001 0800 06 04 0001 020000000001 c6120005 000000000000 c6120005"),
                    c.expectFrame(EtherType.ARP, "the announcement").bytes(),
                    "a request for the new address from the new address");
        }
    }

    /**
     * RFC 826: a neighbour's gratuitous ARP updates the entry we have for it, but a packet not for us
     * creates none.
     */
    @Test
    void gratuitousArpUpdatesAnEntryButCreatesNone() throws Exception {
        try (NetTestContext c = arpContext()) {
            c.injectEther(MacAddress.BROADCAST.bits(), EtherType.ARP, arp(ArpRepr.request(REMOTE_MAC, REMOTE, LOCAL)));
            c.takeFrames();
            c.injectEther(MacAddress.BROADCAST.bits(), EtherType.ARP, arp(ArpRepr.request(NEW_MAC, REMOTE, REMOTE)));
            c.expectNoFrame("a gratuitous ARP is not answered");
            assertEquals(NEW_MAC, c.inet.arp().list().get(0).mac(), "the peer's new MAC");
            sendToPeer(c);
            assertEquals(NEW_MAC, c.expectFrame(EtherType.IPV4, "the datagram").destinationMac());
            int stranger = Ipv4Address.parse("198.18.0.44");
            c.injectEther(MacAddress.BROADCAST.bits(), EtherType.ARP,
                    arp(ArpRepr.request(NEW_MAC + 1, stranger, stranger)));
            assertEquals(1, c.inet.arp().list().size(), "no entry for a host that never spoke to us");
        }
    }

    @Test
    void requestForAnotherAddressIsIgnored() throws Exception {
        try (NetTestContext c = arpContext()) {
            c.injectEther(MacAddress.BROADCAST.bits(), EtherType.ARP,
                    arp(ArpRepr.request(REMOTE_MAC, REMOTE, Ipv4Address.parse("198.18.0.9"))));
            c.expectNoFrame("another host's address is not ours to answer for");
            assertEquals(List.of(), c.inet.arp().list(), "and the asker is not learned");
            assertEquals(1, arpStat(c, "requests received"));
        }
    }

    @Test
    void neighbourUsingOurAddressIsNotBelieved() throws Exception {
        try (NetTestContext c = arpContext()) {
            c.injectEther(MacAddress.BROADCAST.bits(), EtherType.ARP, arp(ArpRepr.request(REMOTE_MAC, LOCAL, LOCAL)));
            c.expectNoFrame("not answered");
            assertEquals(List.of(), c.inet.arp().list());
            assertEquals(1, arpStat(c, "duplicate IP addresses"));
        }
    }
}
