package io.jrump.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;

/**
 * Jazzer fuzz targets, one per parser (ARCHITECTURE.md section 10). Without {@code JAZZER_FUZZ} in the environment
 * they run as regression tests over the seeds in {@code src/test/resources/io/jrump/wire/WireFuzzTestInputs/<method>/}
 * (the golden frames) plus an empty input; with it, Jazzer mutates from those seeds.
 *
 * <p>Each target copies the input into an array of exactly its length, so that a view reading one byte past its range
 * fails with an exception instead of silently reading a neighbour. The property: {@code check()} never throws;
 * after it passed no getter throws; {@code Repr.parse} throws nothing but {@link WireException}; and what parses can
 * be emitted and parses back to the same repr.
 *
 * <p>Inputs of the {@code ipv4} and {@code icmp} targets start with a flag byte (bit 0: fix up the checksum before
 * parsing, so the fuzzer gets past it into the option and quote parsers); those of {@code udp} and {@code tcp} start
 * with that flag byte followed by the source and destination IPv4 addresses of the pseudo-header (9 bytes in all).
 * The rest is the message.
 */
class WireFuzzTest {
    static final int PREFIX = 9;

    @FuzzTest(maxDuration = "30s")
    void ethernet(byte[] data) {
        byte[] f = data.clone();
        EthernetFrame v = new EthernetFrame().wrap(f, 0, f.length);
        if (v.check() != WireError.OK) {
            return;
        }
        long sink = v.source() ^ v.destination() ^ v.etherType() ^ v.payloadOffset() ^ v.payloadLength();
        try {
            EthernetRepr r = EthernetRepr.parse(v);
            byte[] out = new byte[r.bufferLen()];
            r.emit(new EthernetFrame().wrap(out, 0, out.length));
            assertEquals(r, EthernetRepr.parse(new EthernetFrame().wrap(out, 0, out.length)));
        } catch (WireException expected) {
            sink ^= expected.error().ordinal();
        }
        consume(sink);
    }

    @FuzzTest(maxDuration = "30s")
    void arp(byte[] data) {
        byte[] p = data.clone();
        ArpPacket v = new ArpPacket().wrap(p, 0, p.length);
        if (v.check() != WireError.OK) {
            return;
        }
        long sink = v.senderHardwareAddress() ^ v.senderProtocolAddress() ^ v.targetHardwareAddress()
                ^ v.targetProtocolAddress() ^ v.operation();
        try {
            ArpRepr r = ArpRepr.parse(v);
            byte[] out = new byte[r.bufferLen()];
            r.emit(new ArpPacket().wrap(out, 0, out.length));
            assertEquals(r, ArpRepr.parse(new ArpPacket().wrap(out, 0, out.length)));
        } catch (WireException expected) {
            sink ^= expected.error().ordinal();
        }
        consume(sink);
    }

    @FuzzTest(maxDuration = "30s")
    void ipv4(byte[] data) {
        if (data.length < 1) {
            return;
        }
        byte[] d = Arrays.copyOfRange(data, 1, data.length);
        Ipv4Packet v = new Ipv4Packet().wrap(d, 0, d.length);
        WireError header = v.checkHeader();
        if (header == WireError.OK && (data[0] & 1) != 0) {
            v.fillChecksum();
        }
        WireError full = v.check();
        if (full != WireError.OK) {
            return;
        }
        long sink = v.source() ^ v.destination() ^ v.protocol() ^ v.ttl() ^ v.dscp() ^ v.ecn()
                ^ v.identification() ^ v.fragmentOffset() ^ v.optionsOffset() ^ v.optionsLength()
                ^ v.payloadOffset() ^ v.payloadLength() ^ (v.verifyChecksum() ? 1 : 0) ^ (v.isFragment() ? 2 : 0);
        try {
            Ipv4Repr r = Ipv4Repr.parse(v);
            byte[] out = new byte[r.totalLength()];
            r.emit(new Ipv4Packet().wrap(out, 0, out.length));
            assertEquals(r, Ipv4Repr.parse(new Ipv4Packet().wrap(out, 0, out.length)));
            if (v.ttl() > 1) {
                v.decrementTtl();
                assertEquals(true, v.verifyChecksum());
            }
        } catch (WireException expected) {
            sink ^= expected.error().ordinal();
        }
        consume(sink);
    }

    @FuzzTest(maxDuration = "30s")
    void icmp(byte[] data) {
        if (data.length < 1) {
            return;
        }
        byte[] m = Arrays.copyOfRange(data, 1, data.length);
        IcmpPacket v = new IcmpPacket().wrap(m, 0, m.length);
        if (v.check() != WireError.OK) {
            return;
        }
        if ((data[0] & 1) != 0) {
            v.fillChecksum();
        }
        long sink = v.type() ^ v.code() ^ v.restOfHeader() ^ v.echoIdentifier() ^ v.echoSequence()
                ^ v.nextHopMtu() ^ v.dataOffset() ^ v.dataLength();
        try {
            IcmpRepr r = IcmpRepr.parse(v);
            byte[] out = Arrays.copyOf(m, r.bufferLen());
            r.emit(new IcmpPacket().wrap(out, 0, out.length));
            assertEquals(r, IcmpRepr.parse(new IcmpPacket().wrap(out, 0, out.length)));
        } catch (WireException expected) {
            sink ^= expected.error().ordinal();
        }
        consume(sink);
    }

    @FuzzTest(maxDuration = "30s")
    void udp(byte[] data) {
        if (data.length < PREFIX) {
            return;
        }
        int src = Ipv4Address.read(data, 1);
        int dst = Ipv4Address.read(data, 5);
        byte[] u = Arrays.copyOfRange(data, PREFIX, data.length);
        UdpPacket v = new UdpPacket().wrap(u, 0, u.length);
        if (v.check() != WireError.OK) {
            return;
        }
        if ((data[0] & 1) != 0) {
            v.fillChecksum(src, dst);
        }
        long sink = v.sourcePort() ^ v.destinationPort() ^ v.payloadOffset() ^ v.payloadLength();
        try {
            UdpRepr r = UdpRepr.parse(v, src, dst);
            byte[] out = Arrays.copyOf(u, r.bufferLen());
            r.emit(new UdpPacket().wrap(out, 0, out.length), src, dst);
            assertEquals(r, UdpRepr.parse(new UdpPacket().wrap(out, 0, out.length), src, dst));
        } catch (WireException expected) {
            sink ^= expected.error().ordinal();
        }
        consume(sink);
    }

    @FuzzTest(maxDuration = "30s")
    void tcp(byte[] data) {
        if (data.length < PREFIX) {
            return;
        }
        int src = Ipv4Address.read(data, 1);
        int dst = Ipv4Address.read(data, 5);
        byte[] s = Arrays.copyOfRange(data, PREFIX, data.length);
        TcpPacket v = new TcpPacket().wrap(s, 0, s.length);
        if (v.check() != WireError.OK) {
            return;
        }
        if ((data[0] & 1) != 0) {
            v.fillChecksum(src, dst);
        }
        long sink = v.sourcePort() ^ v.destinationPort() ^ v.sequenceNumber() ^ v.acknowledgmentNumber()
                ^ v.flags() ^ v.window() ^ v.urgentPointer() ^ v.reservedBits() ^ v.payloadOffset()
                ^ v.payloadLength();
        TcpOptions cursor = new TcpOptions().wrap(v);
        while (cursor.next()) {
            sink ^= readOption(cursor);
        }
        assertEquals(WireError.OK, cursor.error(), "check() passed, so iteration must not fail");
        try {
            TcpRepr r = TcpRepr.parse(v, src, dst);
            byte[] out = new byte[r.bufferLen()];
            System.arraycopy(s, v.headerLength(), out, r.headerLen(), r.payloadLength());
            r.emit(new TcpPacket().wrap(out, 0, out.length), src, dst);
            assertEquals(r, TcpRepr.parse(new TcpPacket().wrap(out, 0, out.length), src, dst));
        } catch (WireException expected) {
            sink ^= expected.error().ordinal();
        }
        consume(sink);
    }

    @FuzzTest(maxDuration = "30s")
    void tcpOptions(byte[] data) {
        byte[] o = data.clone();
        WireError verdict = TcpOptions.validate(o, 0, o.length);
        TcpOptions cursor = new TcpOptions().wrap(o, 0, o.length);
        long sink = 0;
        while (cursor.next()) {
            sink ^= readOption(cursor);
        }
        assertEquals(verdict, cursor.error(), "validate and the cursor apply the same rules");
        consume(sink);
    }

    @FuzzTest(maxDuration = "30s")
    void frame(byte[] data) {
        new FrameDecoder().decode(data.clone(), 0, data.length);
    }

    private static long readOption(TcpOptions c) {
        switch (c.kind()) {
            case TcpOption.MSS:
                return c.mss();
            case TcpOption.WINDOW_SCALE:
                return c.windowScale();
            case TcpOption.TIMESTAMPS:
                return c.timestampValue() ^ c.timestampEchoReply();
            case TcpOption.SACK:
                long x = 0;
                for (int i = 0; i < c.sackBlockCount(); i++) {
                    x ^= c.sackLeft(i) ^ c.sackRight(i);
                }
                return x;
            default:
                return c.valueOffset() + c.length();
        }
    }

    /** Keeps the getters' results alive so the JIT cannot drop the reads. */
    private static void consume(long value) {
        if (value == 0x5eed_5eed_5eedL) {
            Thread.onSpinWait();
        }
    }
}
