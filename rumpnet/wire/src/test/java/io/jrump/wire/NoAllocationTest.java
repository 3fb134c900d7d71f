package io.jrump.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * The hot-path promise of this module: receiving, checking, checksumming, forwarding and building headers through
 * views allocates nothing per packet. Measured with the JVM's per-thread allocation counter over many packets, so a
 * single stray allocation per packet would show up as hundreds of kilobytes.
 */
class NoAllocationTest {
    private static final int PACKETS = 200_000;

    private final byte[] syn = Golden.bytes(Golden.TCP_SYN_FRAME);
    private final byte[] udp = Golden.bytes(Golden.UDP_FRAME);
    private final byte[] arpFrame = Golden.bytes(Golden.ARP_REQUEST_FRAME);
    private final byte[] scratch = new byte[128];
    private final EthernetFrame eth = new EthernetFrame();
    private final ArpPacket arp = new ArpPacket();
    private final Ipv4Packet ip = new Ipv4Packet();
    private final TcpPacket tcp = new TcpPacket();
    private final UdpPacket udpView = new UdpPacket();
    private final TcpOptions options = new TcpOptions();
    private final ChecksumAccumulator acc = new ChecksumAccumulator();

    @Test
    void hotPathAllocatesNothingPerPacket() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "no per-thread allocation counter on this JVM");
        com.sun.management.ThreadMXBean counter = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(counter.isThreadAllocatedMemorySupported(), "no per-thread allocation counter on this JVM");
        counter.setThreadAllocatedMemoryEnabled(true);

        long sink = 0;
        for (int i = 0; i < PACKETS; i++) {
            sink += onePacket();
        }
        long tid = Thread.currentThread().getId();
        long before = counter.getThreadAllocatedBytes(tid);
        for (int i = 0; i < PACKETS; i++) {
            sink += onePacket();
        }
        long allocated = counter.getThreadAllocatedBytes(tid) - before;
        assertTrue(sink != 0);
        System.out.println("hot path: " + allocated + " bytes allocated over " + PACKETS + " packets");
        assertTrue(allocated < PACKETS / 10, allocated + " bytes allocated for " + PACKETS + " packets");
    }

    private long onePacket() {
        long sink = 0;
        eth.wrap(syn, 0, syn.length);
        if (eth.check() != WireError.OK || eth.etherType() != EtherType.IPV4) {
            return -1;
        }
        ip.wrap(syn, eth.payloadOffset(), eth.payloadLength());
        if (ip.check() != WireError.OK || !ip.verifyChecksum()) {
            return -1;
        }
        tcp.wrap(syn, ip.payloadOffset(), ip.payloadLength());
        if (tcp.check() != WireError.OK || !tcp.verifyChecksum(ip.source(), ip.destination())) {
            return -1;
        }
        options.wrap(tcp);
        while (options.next()) {
            sink += options.kind() == TcpOption.MSS ? options.mss() : options.length();
        }
        sink += tcp.sequenceNumber() + tcp.flags() + tcp.window();

        System.arraycopy(udp, 0, scratch, 0, udp.length);
        eth.wrap(scratch, 0, udp.length);
        ip.wrap(scratch, eth.payloadOffset(), eth.payloadLength());
        if (ip.check() != WireError.OK) {
            return -1;
        }
        sink += ip.decrementTtl();
        udpView.wrap(scratch, ip.payloadOffset(), ip.payloadLength());
        if (udpView.check() != WireError.OK) {
            return -1;
        }
        udpView.fillChecksum(ip.source(), ip.destination());
        sink += acc.reset().addPseudoHeader(ip.source(), ip.destination(), IpProtocol.UDP, udpView.udpLength())
                .add(scratch, udpView.offset(), 3).add(scratch, udpView.offset() + 3, udpView.udpLength() - 3).sum();

        arp.wrap(arpFrame, EthernetFrame.HEADER_LEN, arpFrame.length - EthernetFrame.HEADER_LEN);
        if (arp.check() != WireError.OK) {
            return -1;
        }
        sink += arp.targetProtocolAddress();
        return sink;
    }

    @Test
    void theMeasuredPathIsTheRealOne() {
        assertEquals(0xffff, acc.reset().add(udp, 34, 24)
                .addPseudoHeader(Golden.HOST_A, Golden.HOST_B, IpProtocol.UDP, 24).sum());
        assertTrue(onePacket() != -1, "every check on the golden frames passes");
    }
}
