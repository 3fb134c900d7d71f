package io.jrump.netinet.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.file.KFile;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.netinet.NetTestContext;
import io.jrump.wire.EtherType;
import io.jrump.wire.EthernetFrame;
import io.jrump.wire.IpProtocol;
import io.jrump.wire.Ipv4Packet;
import io.jrump.wire.Ipv4Repr;
import io.jrump.wire.TcpFlags;
import io.jrump.wire.TcpPacket;
import io.jrump.wire.TcpRepr;
import io.jrump.wire.WireException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One kernel and a test-controlled TCP peer on the other end of its only Ethernet interface
 * ({@link NetTestContext}), in the style of gVisor's {@code tcp/testing/context}: the test crafts the
 * peer's segments ({@link Seg}), injects them, and checks what the kernel sends back ({@link #expect}),
 * field by field. A retransmission happens exactly when the test moves the clock past it.
 *
 * <p>The interface does no ARP, so every frame the kernel sends is captured as it leaves; of those,
 * {@link #poll} and the methods built on it see the TCP segments, parsed and checked.
 */
final class TcpTestContext extends NetTestContext {
    static final int LOCAL_PORT = 5001;
    static final int REMOTE_PORT = 40000;
    /** The MSS the kernel offers on this interface: the MTU less the IPv4 and TCP headers. */
    static final int OUR_MSS = MTU - 40;
    /** Default receive buffer ({@code net.inet.tcp.recvspace}) and the window scale that covers it. */
    static final int RCVBUF = 256 * 1024;
    static final int RCV_SCALE = 3;

    /** What the peer puts in its SYN: MSS, window scale, SACK-permitted and timestamps, each optional. */
    record PeerOpts(int mss, int wscale, boolean sackOk, boolean ts) {
        static final PeerOpts NONE = new PeerOpts(TcpRepr.NO_OPTION, TcpRepr.NO_OPTION, false, false);
        static final PeerOpts MSS = new PeerOpts(1460, TcpRepr.NO_OPTION, false, false);
        static final PeerOpts ALL = new PeerOpts(1460, 7, true, true);

        PeerOpts withMss(int v) {
            return new PeerOpts(v, wscale, sackOk, ts);
        }

        PeerOpts withWscale(int v) {
            return new PeerOpts(mss, v, sackOk, ts);
        }

        PeerOpts withSack(boolean v) {
            return new PeerOpts(mss, wscale, v, ts);
        }

        PeerOpts withTs(boolean v) {
            return new PeerOpts(mss, wscale, sackOk, v);
        }

        Seg applyTo(Seg s, int tsVal, int tsEcr) {
            s.mss(mss).wscale(wscale);
            if (sackOk) {
                s.sackOk();
            }
            if (ts) {
                s.ts(tsVal, tsEcr);
            }
            return s;
        }
    }

    final Tcp tcp;
    private int listenFd = -1;
    private int nextRemotePort = REMOTE_PORT;
    /** The largest automatic receive buffer when autosizing is on, else 0: what the window scale covers. */
    private final int autosizeMax;

    TcpTestContext() throws Exception {
        this(1);
    }

    TcpTestContext(long seed) throws Exception {
        this(seed, false);
    }

    /** With {@code autosize}, TCP socket buffers grow automatically, as they do by default outside tests. */
    TcpTestContext(long seed, boolean autosize) throws Exception {
        super(seed);
        // The injected tests check exact windows and the window scale for a 256 KB buffer; automatic
        // buffer sizing, which changes both, is tested on its own (TcpBufAutosizeTest) with it turned on.
        autosizeMax = autosize ? Integer.parseInt(sys.sysctlRead("net.inet.tcp.recvbuf_max").trim()) : 0;
        if (!autosize) {
            sys.sysctlWrite("net.inet.tcp.recvbuf_auto", "0");
            sys.sysctlWrite("net.inet.tcp.sendbuf_auto", "0");
        }
        tcp = inet.tcp();
    }

    /** The TCP segment in {@code f}, parsed with its checksums verified; null for any other frame. */
    private Sent parse(Frame f) {
        byte[] frame = f.bytes();
        if (f.etherType() != EtherType.IPV4) {
            return null;
        }
        Ipv4Packet ip = new Ipv4Packet().wrap(frame, EthernetFrame.HEADER_LEN, frame.length - EthernetFrame.HEADER_LEN);
        Ipv4Repr ipr;
        try {
            ipr = Ipv4Repr.parse(ip);
        } catch (WireException e) {
            throw new AssertionError("the kernel sent a bad IPv4 header: " + e.getMessage());
        }
        if (ipr.protocol() != IpProtocol.TCP) {
            return null;
        }
        assertEquals(LOCAL, ipr.source(), "source address of a segment the kernel sent");
        int off = EthernetFrame.HEADER_LEN + ip.headerLength();
        TcpPacket th = new TcpPacket().wrap(frame, off, ipr.payloadLength());
        TcpRepr r;
        try {
            r = TcpRepr.parse(th, ipr.source(), ipr.destination());
        } catch (WireException e) {
            throw new AssertionError("the kernel sent a bad TCP segment (" + e.getMessage() + ")");
        }
        int p = off + th.headerLength();
        return new Sent(r, Arrays.copyOfRange(frame, p, p + r.payloadLength()), ipr.ttl(), ip.dontFragment(),
                f.atNanos());
    }

    // ---- the peer's side: injection

    /** A new segment from the peer's default port to the listening port. */
    Seg seg() {
        return new Seg();
    }

    /** Sends {@code s} from the peer and waits until the kernel has processed it. */
    void inject(Seg s) {
        TcpRepr r = s.repr();
        byte[] tcpSeg = new byte[r.headerLen() + s.data.length];
        System.arraycopy(s.data, 0, tcpSeg, r.headerLen(), s.data.length);
        r.emit(new TcpPacket().wrap(tcpSeg, 0, tcpSeg.length), REMOTE, LOCAL);
        injectIp(ipv4(REMOTE, LOCAL, IpProtocol.TCP, 64, tcpSeg));
    }

    // ---- the kernel's side: capture

    /** The next segment the kernel sent (other frames are passed over), or null if it sent nothing more. */
    Sent poll() {
        for (Frame f = nextFrame(); f != null; f = nextFrame()) {
            Sent s = parse(f);
            if (s != null) {
                return s;
            }
        }
        return null;
    }

    /** Every segment the kernel sent and the test has not looked at yet. */
    List<Sent> drain() {
        List<Sent> l = new ArrayList<>();
        for (Sent s = poll(); s != null; s = poll()) {
            l.add(s);
        }
        return l;
    }

    /** The next segment the kernel sent, which must match {@code e}; fails describing what came instead. */
    Sent expect(Expect e) {
        Sent s = poll();
        if (s == null) {
            fail("expected " + e + " but the kernel sent nothing\n" + state());
        }
        List<String> bad = e.mismatches(s);
        if (!bad.isEmpty()) {
            fail("expected " + e + "\n     got " + s + "\n  " + String.join("\n  ", bad) + "\n  then "
                    + pending() + "\n" + state());
        }
        return s;
    }

    /**
     * Moves the clock tick by tick until the kernel sends something, at most {@code nanos}: the first
     * segment sent (the clock stops there), or null if nothing came.
     */
    Sent awaitSegment(long nanos) {
        Sent s = poll();
        for (long t = 0; s == null && t < nanos; t += TICK) {
            advance(TICK);
            s = poll();
        }
        return s;
    }

    /** Fails if the kernel sent anything not yet looked at. */
    void expectNothing(String why) {
        List<Sent> l = drain();
        if (!l.isEmpty()) {
            fail("expected no segment (" + why + ") but the kernel sent " + l + "\n" + state());
        }
    }

    /** Moves the clock by {@code nanos} and fails if the kernel sent anything meanwhile. */
    void expectSilenceFor(long nanos, String why) {
        advance(nanos);
        expectNothing(why);
    }

    private String pending() {
        List<Sent> l = drain();
        return l.isEmpty() ? "nothing more" : l.toString();
    }

    /** The kernel's connections, for a failure message. */
    String state() {
        return "at " + clock.monotonicNanos() / MS + " ms; connections:\n" + tcp.describeConnections();
    }

    static String describe(TcpRepr r) {
        StringBuilder sb = new StringBuilder();
        sb.append(r.sourcePort()).append('>').append(r.destinationPort()).append(' ')
                .append(TcpFlags.toString(r.flags())).append(" seq=").append(Integer.toUnsignedString(r.sequenceNumber()))
                .append(" ack=").append(Integer.toUnsignedString(r.acknowledgmentNumber())).append(" win=")
                .append(r.window()).append(" len=").append(r.payloadLength());
        if (r.maxSegmentSize() != TcpRepr.NO_OPTION) {
            sb.append(" mss=").append(r.maxSegmentSize());
        }
        if (r.windowScale() != TcpRepr.NO_OPTION) {
            sb.append(" ws=").append(r.windowScale());
        }
        if (r.sackPermitted()) {
            sb.append(" sackOK");
        }
        if (r.timestamps() != null) {
            sb.append(" ts=").append(Integer.toUnsignedString(r.timestamps().value())).append('/')
                    .append(Integer.toUnsignedString(r.timestamps().echoReply()));
        }
        if (!r.sackBlocks().isEmpty()) {
            sb.append(" sack=").append(Expect.blocks(r.sackBlocks()));
        }
        return sb.toString();
    }

    /** Sets a sysctl that this kernel may not have (a tunable of a later feature); false if it has none. */
    boolean sysctlIfPresent(String name, String value) {
        try {
            sys.sysctlWrite(name, value);
            return true;
        } catch (ErrnoException e) {
            return false;
        }
    }

    // ---- sockets

    int socket() throws ErrnoException {
        return sys.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM | SocketDefs.SOCK_NONBLOCK, 0);
    }

    /**
     * A connection opened by {@code connect} whose first SYN went unanswered: the SYN is retransmitted
     * (the initial RTO, within 2 s), the peer answers that one with a SYN,ACK (ISN 0x7000, MSS 1460) and the
     * ACK is sent. For RFC 5681 section 3.1's and RFC 6298 section 5.7's rules after a lost SYN.
     */
    int openAfterLostSyn() throws Exception {
        int fd = socket();
        try {
            sys.connect(fd, SockAddr.in(REMOTE, REMOTE_PORT));
            fail("a non-blocking connect completes later");
        } catch (ErrnoException expected) {
            // EINPROGRESS
        }
        settle();
        Sent syn = expect(Expect.flags(TcpFlags.SYN));
        Sent again = awaitSegment(2_000_000_000L);
        assertTrue(again != null && again.has(TcpFlags.SYN), "SYN retransmitted: " + again);
        inject(seg().ports(REMOTE_PORT, syn.tcp().sourcePort()).seq(0x7000)
                .ack(syn.seq() + 1).flags(TcpFlags.SYN | TcpFlags.ACK).mss(1460));
        expect(Expect.flags(TcpFlags.ACK).ack(0x7001));
        return fd;
    }

    /** The listening socket on {@link #LOCAL_PORT}, made on first use with {@code backlog}. */
    int listen(int backlog) throws ErrnoException {
        if (listenFd < 0) {
            listenFd = socket();
            sys.setsockopt(listenFd, SocketDefs.SOL_SOCKET, SocketDefs.SO_REUSEADDR, 1);
            sys.bind(listenFd, SockAddr.in(0, LOCAL_PORT));
            sys.listen(listenFd, backlog);
        }
        return listenFd;
    }

    int listenFd() {
        return listenFd;
    }

    /** Bytes readable now on {@code fd} (non-blocking); -1 for end of stream; throws EAGAIN as ErrnoException. */
    byte[] read(int fd, int max) throws ErrnoException {
        ByteBuffer b = ByteBuffer.allocate(max);
        int n = sys.read(fd, b);
        return Arrays.copyOf(b.array(), n);
    }

    int write(int fd, byte[] data) throws ErrnoException {
        int n = sys.write(fd, ByteBuffer.wrap(data));
        settle();
        return n;
    }

    int soError(int fd) throws ErrnoException {
        return sys.getsockopt(fd, SocketDefs.SOL_SOCKET, SocketDefs.SO_ERROR);
    }

    // ---- handshakes

    /**
     * Passive open (RFC 9293 section 3.5 figure 7, kernel as the server): the peer's SYN with
     * {@code opts}, the kernel's SYN,ACK checked against what those options allow, the peer's ACK, and
     * the accepted descriptor.
     */
    Peer passiveOpen(PeerOpts opts) throws ErrnoException {
        listen(16);
        int rcvBuf = sys.getsockopt(listenFd, SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVBUF);
        Peer p = new Peer(this, nextRemotePort++, LOCAL_PORT, opts);
        p.rcvBuf = rcvBuf;
        p.kernelShift = opts.wscale() >= 0 ? TcpSynCache.scaleFor(Math.max(rcvBuf, autosizeMax)) : 0;
        p.peerIss = 0x10000000 + p.remotePort * 977;
        p.sndNxt = p.peerIss;
        inject(opts.applyTo(seg().ports(p.remotePort, LOCAL_PORT).seq(p.peerIss).flags(TcpFlags.SYN), p.tsClock, 0));
        Sent synAck = expect(Expect.flags(TcpFlags.SYN | TcpFlags.ACK).ack(p.peerIss + 1)
                .window(Math.min(rcvBuf, 65535)).mss(OUR_MSS)
                .wscale(opts.wscale() >= 0 ? p.kernelShift : TcpRepr.NO_OPTION).sackOk(opts.sackOk())
                .ts(opts.ts()).len(0));
        if (opts.ts()) {
            assertEquals(p.tsClock, synAck.tcp().timestamps().echoReply(), "SYN,ACK echoes the SYN's TSval");
        }
        p.sndNxt = p.peerIss + 1;
        p.kernelIss = synAck.seq();
        p.rcvNxt = synAck.seq() + 1;
        p.saw(synAck);
        inject(p.ack());
        int fd = sys.accept(listenFd, null);
        sys.fcntl(fd, Syscalls.F_SETFL, KFile.O_NONBLOCK);
        p.fd = fd;
        if (opts.wscale() >= 0) {
            // The SYN,ACK could offer at most 65535 unscaled; the first scaled window is worth announcing
            // (RFC 1122 section 4.2.3.3), though only as a pure window update.
            Sent upd = poll();
            if (upd != null) {
                List<String> bad = Expect.flags(TcpFlags.ACK).seq(p.rcvNxt).ack(p.sndNxt).len(0)
                        .window(p.windowField(rcvBuf)).mismatches(upd);
                assertTrue(bad.isEmpty(), "after the handshake only a window update may come: " + upd + " " + bad);
                p.saw(upd);
            }
        }
        expectNothing("a handshake's ACK needs no answer");
        return p;
    }

    /**
     * Active open (RFC 9293 section 3.5 figure 7, kernel as the client): a non-blocking connect, its SYN
     * checked, the peer's SYN,ACK with {@code opts}, the kernel's ACK checked.
     */
    Peer activeOpen(PeerOpts opts) throws ErrnoException {
        int fd = socket();
        try {
            sys.connect(fd, SockAddr.in(REMOTE, REMOTE_PORT));
            fail("a non-blocking connect completes only after the handshake");
        } catch (ErrnoException e) {
            assertEquals(Errno.EINPROGRESS, e.errno(), "connect: " + e);
        }
        settle();
        Sent syn = expect(Expect.flags(TcpFlags.SYN).ack(0).mss(OUR_MSS).wscale(RCV_SCALE).sackOk(true).ts(true)
                .tsEcr(0).len(0).window(65535));
        Peer p = new Peer(this, REMOTE_PORT, syn.tcp().sourcePort(), opts);
        p.fd = fd;
        p.kernelIss = syn.seq();
        p.rcvNxt = syn.seq() + 1;
        p.saw(syn);
        p.peerIss = 0x20000000;
        Seg synAck = opts.applyTo(p.seg().seq(p.peerIss).flags(TcpFlags.SYN | TcpFlags.ACK).noTs(), p.tsClock,
                p.tsRecent);
        p.sndNxt = p.peerIss + 1;
        inject(synAck);
        Sent ack = expect(p.expectAck());
        p.saw(ack);
        expectNothing("the handshake is complete");
        return p;
    }

    TcpCb tcb(Peer p) {
        TcpCb tp = tcp.conns().lookup(LOCAL, p.localPort, REMOTE, p.remotePort);
        assertTrue(tp != null, "no connection " + p.localPort + "->" + p.remotePort + "\n" + state());
        return tp;
    }

    /** Halts the kernel as {@link NetTestContext#close} does; fails too if a segment not looked at is malformed. */
    @Override
    public void close() {
        try {
            drain();
        } finally {
            super.close();
        }
    }
}
