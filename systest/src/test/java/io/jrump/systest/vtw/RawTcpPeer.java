package io.jrump.systest.vtw;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.jrump.wire.ArpPacket;
import io.jrump.wire.ArpRepr;
import io.jrump.wire.EtherType;
import io.jrump.wire.EthernetFrame;
import io.jrump.wire.EthernetRepr;
import io.jrump.wire.IpProtocol;
import io.jrump.wire.Ipv4Address;
import io.jrump.wire.Ipv4Packet;
import io.jrump.wire.Ipv4Repr;
import io.jrump.wire.TcpPacket;
import io.jrump.wire.TcpRepr;
import io.jrump.wire.WireException;
import io.jrump.virtif.EtherLink;
import io.jrump.virtif.Hub;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A host made of a hub port and this test's hands: it answers ARP for its address, queues every TCP
 * segment sent to it, and sends whatever segments the test writes, so that a test can play the
 * peer of a connection segment by segment and see exactly what the kernel answers.
 */
final class RawTcpPeer implements AutoCloseable {
    final int ip;
    final long mac;
    private final EtherLink port;
    private final LinkedBlockingQueue<TcpRepr> received = new LinkedBlockingQueue<>();

    RawTcpPeer(Hub hub, String ip, long mac) {
        this.ip = Ipv4Address.parse(ip);
        this.mac = mac;
        this.port = hub.attach();
        port.setReceiver(this::receive);
    }

    private void receive(byte[] f, int off, int len) {
        try {
            EthernetFrame eth = new EthernetFrame().wrap(f, off, len);
            if (eth.etherType() == EtherType.ARP) {
                ArpRepr a = ArpRepr.parse(new ArpPacket().wrap(f, off + EthernetFrame.HEADER_LEN,
                        len - EthernetFrame.HEADER_LEN));
                if (a.operation() == ArpPacket.OP_REQUEST && a.targetProtocolAddress() == ip) {
                    ArpRepr r = ArpRepr.replyTo(a, mac);
                    byte[] out = new byte[EthernetFrame.HEADER_LEN + r.bufferLen()];
                    new EthernetRepr(mac, a.senderHardwareAddress(), EtherType.ARP)
                            .emit(new EthernetFrame().wrap(out, 0, out.length));
                    r.emit(new ArpPacket().wrap(out, EthernetFrame.HEADER_LEN, r.bufferLen()));
                    port.send(out, 0, out.length);
                }
                return;
            }
            if (eth.etherType() != EtherType.IPV4 || eth.destination() != mac) {
                return;
            }
            Ipv4Packet ipp = new Ipv4Packet().wrap(f, off + EthernetFrame.HEADER_LEN, len - EthernetFrame.HEADER_LEN);
            if (ipp.protocol() != IpProtocol.TCP || ipp.destination() != ip) {
                return;
            }
            int hl = ipp.headerLength();
            TcpPacket th = new TcpPacket().wrap(f, off + EthernetFrame.HEADER_LEN + hl, ipp.totalLength() - hl);
            received.add(TcpRepr.parse(th, ipp.source(), ipp.destination()));
        } catch (WireException e) {
            throw new AssertionError("the kernel sent a bad frame: " + e.getMessage());
        }
    }

    /** Sends a segment with {@code payload} bytes of data to {@code dst} at {@code dstMac}. */
    void send(int dst, long dstMac, TcpRepr seg) {
        byte[] out = new byte[EthernetFrame.HEADER_LEN + Ipv4Packet.HEADER_LEN + seg.bufferLen()];
        new EthernetRepr(mac, dstMac, EtherType.IPV4).emit(new EthernetFrame().wrap(out, 0, out.length));
        Ipv4Repr.of(ip, dst, IpProtocol.TCP, seg.bufferLen(), 64)
                .emit(new Ipv4Packet().wrap(out, EthernetFrame.HEADER_LEN, out.length - EthernetFrame.HEADER_LEN));
        seg.emit(new TcpPacket().wrap(out, EthernetFrame.HEADER_LEN + Ipv4Packet.HEADER_LEN, seg.bufferLen()), ip,
                dst);
        port.send(out, 0, out.length);
    }

    /** The next segment the kernel sent here; fails if none comes within 20 s. */
    TcpRepr next() throws InterruptedException {
        TcpRepr r = received.poll(20, TimeUnit.SECONDS);
        assertNotNull(r, "no segment arrived");
        return r;
    }

    /** A segment; {@code ts} null for none. */
    static TcpRepr segment(int sport, int dport, int seq, int ack, int flags, TcpRepr.Timestamps ts, int len) {
        return new TcpRepr(sport, dport, seq, ack, flags, 65535, 0, TcpRepr.NO_OPTION, TcpRepr.NO_OPTION, false,
                ts, List.of(), len);
    }

    /** A SYN with an MSS and, if {@code ts} is not null, timestamps. */
    static TcpRepr syn(int sport, int dport, int seq, TcpRepr.Timestamps ts) {
        return new TcpRepr(sport, dport, seq, 0, io.jrump.wire.TcpFlags.SYN, 65535, 0, 1460, TcpRepr.NO_OPTION,
                false, ts, List.of(), 0);
    }

    @Override
    public void close() {
        port.close();
    }
}
