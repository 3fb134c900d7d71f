package io.jrump.netinet.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jrump.kern.ErrnoException;
import io.jrump.netinet.tcp.TcpTestContext.PeerOpts;
import io.jrump.wire.IpProtocol;
import io.jrump.wire.Ipv4Packet;
import io.jrump.wire.Ipv4Repr;
import io.jrump.wire.TcpFlags;
import io.jrump.wire.TcpPacket;
import io.jrump.wire.TcpRepr;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A Jazzer fuzz target for TCP input (ARCHITECTURE.md section 10): the input bytes script a peer that
 * sends segments, well-formed or not, to an established connection and to a listening socket, moves
 * the clock, and has the application read, write and close, in any order. After every step no
 * exception may have escaped the kernel and every connection's state must be coherent: SND.UNA &lt;=
 * SND.NXT &lt;= SND.MAX in sequence space, no more in flight than the send buffer holds, no negative
 * window, and every byte the kernel accepted in order either read or waiting in the receive buffer.
 * Each input ends with the kernel halting clean.
 *
 * <p>Without {@code JAZZER_FUZZ} the target replays its seeds in
 * {@code src/test/resources/io/jrump/netinet/tcp/TcpInputFuzzTestInputs/segments/};
 * {@link #seededRandomInputs()} adds a fixed-seed batch of random scripts to every build.
 */
class TcpInputFuzzTest {
    @FuzzTest(maxDuration = "60s")
    void segments(byte[] data) throws Exception {
        run(data);
    }

    /** Random scripts from a fixed seed, so every build explores more than the stored seeds. */
    @Test
    void seededRandomInputs() throws Exception {
        SplittableRandom r = new SplittableRandom(20261202);
        for (int i = 0; i < 80; i++) {
            byte[] b = new byte[r.nextInt(16, 700)];
            r.nextBytes(b);
            run(b);
        }
    }

    /** Reads the script: each call takes the next bytes, and zeros once they run out. */
    private static final class Script {
        private final byte[] b;
        private int i;

        Script(byte[] b) {
            this.b = b;
        }

        boolean more() {
            return i < b.length;
        }

        int u8() {
            return i < b.length ? b[i++] & 0xff : 0;
        }

        int u16() {
            return u8() << 8 | u8();
        }

        int s16() {
            return (short) u16();
        }

        int u32() {
            return u16() << 16 | u16();
        }
    }

    static void run(byte[] data) throws Exception {
        Script in = new Script(data);
        try (TcpTestContext c = new TcpTestContext(1 + in.u8())) {
            PeerOpts opts = switch (in.u8() & 3) {
                case 0 -> PeerOpts.ALL;
                case 1 -> PeerOpts.MSS;
                case 2 -> PeerOpts.NONE;
                default -> PeerOpts.ALL.withTs(false);
            };
            Peer p = c.passiveOpen(opts);
            long[] appRead = {0};
            boolean fdOpen = true;
            if ((in.u8() & 1) != 0) {
                c.write(p.fd, new byte[in.u16() % 6000]);
            }
            c.drain();
            RightEdge edges = new RightEdge();
            int steps = 1 + in.u8() % 40;
            for (int step = 0; step < steps && in.more(); step++) {
                int op = in.u8() % 16;
                if (op <= 9) {
                    inject(c, in, p, p.remotePort, false);
                } else if (op == 10) {
                    inject(c, in, p, 45000 + in.u8() % 4, true);
                } else if (op == 11) {
                    injectRaw(c, in, p);
                } else if (op == 12) {
                    c.advance((long) in.u16() * 10 * TcpTestContext.MS);
                } else if (op == 13 && fdOpen) {
                    try {
                        appRead[0] += c.read(p.fd, in.u16() % 8192 + 1).length;
                    } catch (ErrnoException e) {
                        // EAGAIN, ECONNRESET, ...: what a user may see
                    }
                } else if (op == 14 && fdOpen) {
                    try {
                        c.write(p.fd, new byte[in.u16() % 3000 + 1]);
                    } catch (ErrnoException e) {
                        // EPIPE, EAGAIN after a reset or close
                    }
                } else if (op == 15 && fdOpen) {
                    if ((in.u8() & 1) != 0) {
                        c.sys.close(p.fd);
                        fdOpen = false;
                    } else {
                        try {
                            c.sys.shutdown(p.fd, io.jrump.kern.syscall.SocketDefs.SHUT_WR);
                        } catch (ErrnoException e) {
                            // ENOTCONN after a reset
                        }
                    }
                    c.settle();
                }
                edges.check(c, p);
                check(c, p, fdOpen ? appRead[0] : -1);
                follow(c, p);
            }
            c.advance(400 * TcpTestContext.SEC);
            c.drain();
            check(c, p, -1);
        }
    }

    /**
     * RFC 9293 section 3.8.6.2.2 and RFC 7323 section 2.4: the right edge of the window the kernel offers,
     * SEG.ACK plus the scaled window, never moves left on the connection, except by less than the scale's
     * granularity (2^S), which a scaled window cannot always avoid (RFC 7323 section 2.4).
     */
    private static final class RightEdge {
        private TcpCb conn;
        private int edge;
        private boolean known;

        void check(TcpTestContext c, Peer p) {
            TcpCb tp = c.tcp.conns().lookup(TcpTestContext.LOCAL, p.localPort, TcpTestContext.REMOTE, p.remotePort);
            if (tp != conn) {
                conn = tp;
                known = false;
            }
            for (Sent s : c.drain()) {
                if (tp == null || s.tcp().destinationPort() != p.remotePort || !s.has(TcpFlags.ACK)
                        || s.has(TcpFlags.RST) || s.has(TcpFlags.SYN)) {
                    continue;
                }
                int e = s.ack() + (s.window() << p.kernelScale());
                assertTrue(!known || TcpSeq.geq(e, edge - ((1 << p.kernelScale()) - 1)),
                        "the offered window shrank: right edge "
                        + Integer.toUnsignedString(e) + " after " + Integer.toUnsignedString(edge) + " in " + s + "\n" + tp);
                edge = known ? TcpSeq.max(edge, e) : e;
                known = true;
            }
        }
    }

    /** Keeps the peer's idea of the sequence numbers near the kernel's, so that many segments land in the window. */
    private static void follow(TcpTestContext c, Peer p) {
        TcpCb tp = c.tcp.conns().lookup(TcpTestContext.LOCAL, p.localPort, TcpTestContext.REMOTE, p.remotePort);
        if (tp != null) {
            p.sndNxt = tp.rcvNxt;
            p.rcvNxt = tp.sndNxt;
            p.tsRecent = tp.tcp.tsNow() + tp.tsOffset;
        }
    }

    private static int near(Script in, int base) {
        return switch (in.u8() & 3) {
            case 0 -> base;
            case 1 -> base + in.s16();
            case 2 -> base + in.s16() * 64;
            default -> in.u32();
        };
    }

    /** One structured segment: fields near the connection's sequence state, options drawn from the script. */
    private static void inject(TcpTestContext c, Script in, Peer p, int sport, boolean toListener) {
        int fl = in.u8();
        int flags = (fl & 0x80) != 0 ? fl & 0x3f : (fl & 1) != 0 ? TcpFlags.ACK | TcpFlags.PSH : TcpFlags.ACK;
        if (toListener && (fl & 0x40) != 0) {
            flags = TcpFlags.SYN;
        }
        Seg s = p.seg().ports(sport, TcpTestContext.LOCAL_PORT).flags(flags).noTs();
        s.seq(toListener ? in.u32() : near(in, p.sndNxt));
        s.ack(near(in, p.rcvNxt));
        s.window(in.u16());
        int o = in.u8();
        if ((o & 1) != 0) {
            s.mss(in.u16());
        }
        if ((o & 2) != 0) {
            s.wscale(in.u8() % 20);
        }
        if ((o & 4) != 0) {
            s.sackOk();
        }
        if ((o & 8) != 0) {
            s.ts(p.tsClock + in.s16(), (o & 16) != 0 ? in.u32() : p.tsRecent);
        }
        int blocks = (o >> 5) % 4;
        for (int i = 0; i < blocks; i++) {
            int l = near(in, p.rcvNxt);
            s.sack(l, l + in.u16() % 4000);
        }
        s.data(in.u16() % (TcpTestContext.MTU - 80));
        try {
            s.repr();
        } catch (IllegalArgumentException tooManyOptions) {
            s.sack.clear();
        }
        c.inject(s);
    }

    /** A segment with a header length and option bytes straight from the script, checksums correct. */
    private static void injectRaw(TcpTestContext c, Script in, Peer p) {
        int hlen = 4 * (5 + in.u8() % 11);
        int len = in.u16() % 200;
        byte[] ip = new byte[Ipv4Packet.HEADER_LEN + hlen + len];
        TcpPacket th = new TcpPacket().wrap(ip, Ipv4Packet.HEADER_LEN, hlen + len);
        th.setSourcePort(p.remotePort);
        th.setDestinationPort(p.localPort);
        th.setSequenceNumber(near(in, p.sndNxt));
        th.setAcknowledgmentNumber(near(in, p.rcvNxt));
        th.setHeaderLength((in.u8() & 7) == 0 ? 4 * (in.u8() & 15) : hlen);
        th.setFlags(in.u8());
        th.setWindow(in.u16());
        for (int i = Ipv4Packet.HEADER_LEN + TcpPacket.HEADER_LEN; i < Ipv4Packet.HEADER_LEN + hlen; i++) {
            ip[i] = (byte) in.u8();
        }
        th.fillChecksum(TcpTestContext.REMOTE, TcpTestContext.LOCAL);
        Ipv4Repr.of(TcpTestContext.REMOTE, TcpTestContext.LOCAL, IpProtocol.TCP, hlen + len, 64)
                .emit(new Ipv4Packet().wrap(ip, 0, ip.length));
        c.injectIp(ip);
    }

    /**
     * The invariants: sequence variables ordered, flight within the send buffer, windows not negative,
     * and, while the application holds the connection ({@code appRead} not -1), every in-order byte
     * either read or queued.
     */
    static void check(TcpTestContext c, Peer p, long appRead) {
        for (TcpCb tp : c.tcp.connections()) {
            if (tp.has(TcpCb.TF_CLOSED) || tp.state <= TcpState.LISTEN) {
                continue;
            }
            String d = tp.toString();
            assertTrue(TcpSeq.leq(tp.sndUna, tp.sndNxt), "SND.UNA <= SND.NXT: " + d);
            assertTrue(TcpSeq.leq(tp.sndNxt, tp.sndMax), "SND.NXT <= SND.MAX: " + d);
            assertTrue(tp.sndMax - tp.sndUna <= tp.so.snd.cc() + 2, "no more in flight than buffered: " + d);
            assertTrue(tp.sndWnd >= 0 && tp.maxSndWnd >= 0, "send window not negative: " + d);
            assertTrue(tp.receiveWindow() >= 0, "receive window not negative: " + d);
            assertTrue(tp.so.rcv.cc() >= 0 && tp.so.snd.cc() >= 0 && tp.reass.bytes() >= 0, "buffers: " + d);
            assertTrue(tp.reass.isEmpty() == (tp.reass.segments() == 0), "reassembly queue: " + d);
            if (tp.state >= TcpState.ESTABLISHED) {
                assertTrue(tp.cwnd > 0 && tp.maxseg > 0, "congestion window and segment size: " + d);
            }
            assertTrue(tp.rtoNanos > 0, "RTO: " + d);
        }
        TcpCb tp = c.tcp.conns().lookup(TcpTestContext.LOCAL, p.localPort, TcpTestContext.REMOTE, p.remotePort);
        if (appRead >= 0 && tp != null && !tp.has(TcpCb.TF_CLOSED) && tp.state >= TcpState.ESTABLISHED
                && tp.state != TcpState.TIME_WAIT) {
            long delivered = (tp.rcvNxt - (tp.irs + 1)) - (tp.has(TcpCb.TF_RCVD_FIN) ? 1 : 0);
            assertEquals(delivered, appRead + tp.so.rcv.cc(), "in-order bytes read or queued: " + tp);
        }
    }
}
