package io.jrump.systest.vtw;

import static io.jrump.systest.TestNet.attach;
import static io.jrump.systest.TestNet.await;
import static io.jrump.systest.TestNet.inet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jrump.hypercall.Errno;
import io.jrump.hypercall.ManualClock;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.net.Ifnet;
import io.jrump.wire.Ipv4Address;
import io.jrump.wire.TcpFlags;
import io.jrump.wire.TcpRepr;
import io.jrump.netinet.tcp.Tcp;
import io.jrump.systest.TestNet;
import io.jrump.virtif.Hub;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TIME_WAIT on the wire, played segment by segment by a {@link RawTcpPeer}: the kernel accepts a
 * connection, closes it first, and holds it in TIME_WAIT, either as a vestigial entry
 * ({@code net.inet.tcp.vtw.enable=1}) or as a full control block (0). Every case runs both ways and
 * must see the same segments: RFC 9293 section 3.10.7.4 for FINs and bad sequence numbers, RFC 1337
 * for RSTs, RFC 6191 for a SYN reusing the four-tuple, BSD's rules for {@code bind}, and MSL
 * truncation (seed 004) for when the connection is gone.
 */
class VtwTimeWaitTest {
    private static final long PEER_MAC = 0x02_00_00_00_00_77L;
    private static final int PORT = 80;
    private static final int PEER_PORT = 40000;
    private static final int PEER_ISS = 1_000_000;

    /** A kernel at 198.18.0.2 listening on port 80 and a raw peer at 198.18.0.1, on one hub. */
    static final class Fixture implements AutoCloseable {
        final ManualClock clock = new ManualClock();
        final TestNet net = new TestNet(clock);
        final Kernel k;
        final Syscalls sys;
        final Ifnet ifp;
        final RawTcpPeer peer;
        final int kaddr = Ipv4Address.parse("198.18.0.2");
        final int listener;
        final boolean vtw;
        int kernelIss;
        int tsRecent;

        Fixture(boolean vtw) throws Exception {
            this(vtw, 0);
        }

        /** {@code listenerOption}: a SOL_SOCKET option set on the listener, inherited by what it accepts (0: none). */
        Fixture(boolean vtw, int listenerOption) throws Exception {
            this.vtw = vtw;
            Hub hub = new Hub("lan");
            k = net.boot("victim");
            sys = k.syscalls();
            sys.sysctlWrite("net.inet.tcp.vtw.enable", vtw ? "1" : "0");
            ifp = attach(k, "shmif0", hub.attach(), "198.18.0.2/24");
            peer = new RawTcpPeer(hub, "198.18.0.1", PEER_MAC);
            listener = sys.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
            if (listenerOption != 0) {
                sys.setsockopt(listener, SocketDefs.SOL_SOCKET, listenerOption, 1);
            }
            sys.bind(listener, SockAddr.in("0.0.0.0", PORT));
            sys.listen(listener, 5);
        }

        Tcp tcp() {
            return inet(k).tcp();
        }

        void send(int seq, int ack, int flags, TcpRepr.Timestamps ts, int len) {
            peer.send(kaddr, ifp.lladdr(), RawTcpPeer.segment(PEER_PORT, PORT, seq, ack, flags, ts, len));
        }

        /**
         * Opens a connection with timestamps, lets the kernel close it first, and answers with our FIN:
         * the kernel is in TIME_WAIT with RCV.NXT = PEER_ISS + 2 and SND.NXT = kernelIss + 2.
         */
        void toTimeWait() throws Exception {
            peer.send(kaddr, ifp.lladdr(), RawTcpPeer.syn(PEER_PORT, PORT, PEER_ISS, new TcpRepr.Timestamps(1000, 0)));
            TcpRepr synAck = peer.next();
            assertEquals(TcpFlags.SYN | TcpFlags.ACK, synAck.flags());
            assertEquals(PEER_ISS + 1, synAck.acknowledgmentNumber());
            assertNotNull(synAck.timestamps(), "timestamps negotiated");
            kernelIss = synAck.sequenceNumber();
            int kts = synAck.timestamps().value();
            send(PEER_ISS + 1, kernelIss + 1, TcpFlags.ACK, new TcpRepr.Timestamps(1001, kts), 0);
            int fd = sys.accept(listener, null);
            sys.close(fd);
            TcpRepr fin = peer.next();
            assertEquals(TcpFlags.FIN | TcpFlags.ACK, fin.flags(), "the kernel closes first");
            assertEquals(kernelIss + 1, fin.sequenceNumber());
            tsRecent = 1002;
            send(PEER_ISS + 1, kernelIss + 2, TcpFlags.FIN | TcpFlags.ACK,
                    new TcpRepr.Timestamps(tsRecent, fin.timestamps().value()), 0);
            assertAckOfFin(peer.next());
            // the ACK leaves just before the connection settles in TIME_WAIT
            await("TIME_WAIT", () -> tcp().timeWaitCount() == 1 && tcp().pcbCount() == (vtw ? 1 : 2));
            assertEquals(vtw ? 1 : 0, tcp().vestigialCount(), "vestigial with VTW on, a full pcb without");
        }

        /** The ACK TIME_WAIT repeats: our FIN acknowledged, nothing new from the kernel. */
        void assertAckOfFin(TcpRepr r) {
            assertEquals(TcpFlags.ACK, r.flags(), r.toString());
            assertEquals(kernelIss + 2, r.sequenceNumber(), "SND.NXT after the kernel's FIN");
            assertEquals(PEER_ISS + 2, r.acknowledgmentNumber(), "RCV.NXT after our FIN");
            assertNotNull(r.timestamps(), "a connection that used timestamps keeps sending them (RFC 7323 3.2)");
            assertEquals(tsRecent, r.timestamps().echoReply());
        }

        void retransmitFin() {
            send(PEER_ISS + 1, kernelIss + 2, TcpFlags.FIN | TcpFlags.ACK, new TcpRepr.Timestamps(tsRecent + 1, 0), 0);
        }

        @Override
        public void close() {
            peer.close();
            net.close();
        }
    }

    @ParameterizedTest(name = "vtw={0}")
    @ValueSource(booleans = {true, false})
    void retransmittedFinIsAcknowledgedAgain(boolean vtw) throws Exception {
        try (Fixture f = new Fixture(vtw)) {
            f.toTimeWait();
            f.retransmitFin();
            f.assertAckOfFin(f.peer.next());
            f.retransmitFin();
            f.assertAckOfFin(f.peer.next());
            assertEquals(1, f.tcp().timeWaitCount());
            if (vtw) {
                assertEquals(1, f.tcp().vtwStats().get("inserts"));
                assertEquals(2, f.tcp().vtwStats().get("hits"));
                assertEquals("1", f.sys.sysctlRead("net.inet.tcp.vtw.stats.inuse_local"));
            }
        }
    }

    @ParameterizedTest(name = "vtw={0}")
    @ValueSource(booleans = {true, false})
    void badSequenceIsAcknowledgedAndResetsAreIgnored(boolean vtw) throws Exception {
        try (Fixture f = new Fixture(vtw)) {
            f.toTimeWait();
            // RFC 9293 3.10.7.4 first: an unacceptable segment draws an ACK and is dropped
            f.send(PEER_ISS + 2 + 100_000, f.kernelIss + 2, TcpFlags.ACK | TcpFlags.PSH, null, 10);
            f.assertAckOfFin(f.peer.next());
            f.send(PEER_ISS - 5000, f.kernelIss + 2, TcpFlags.ACK, null, 10);
            f.assertAckOfFin(f.peer.next());
            // RFC 1337: neither an in-window RST nor an out-of-window one ends TIME_WAIT, nor is answered
            f.send(PEER_ISS + 2, 0, TcpFlags.RST, null, 0);
            f.send(PEER_ISS + 90_000, 0, TcpFlags.RST, null, 0);
            f.retransmitFin();
            f.assertAckOfFin(f.peer.next());
            assertEquals(1, f.tcp().timeWaitCount());
        }
    }

    @ParameterizedTest(name = "vtw={0}")
    @ValueSource(booleans = {true, false})
    void synWithOlderTimestampOrSequenceIsNotAccepted(boolean vtw) throws Exception {
        try (Fixture f = new Fixture(vtw)) {
            f.toTimeWait();
            // a greater sequence number does not help an older timestamp (RFC 6191 section 2)
            f.peer.send(f.kaddr, f.ifp.lladdr(), RawTcpPeer.syn(PEER_PORT, PORT, PEER_ISS + 50_000,
                    new TcpRepr.Timestamps(500, 0)));
            f.assertAckOfFin(f.peer.next());
            // without timestamps, the sequence number decides: not above RCV.NXT
            f.peer.send(f.kaddr, f.ifp.lladdr(), RawTcpPeer.syn(PEER_PORT, PORT, PEER_ISS + 2, null));
            TcpRepr r = f.peer.next();
            assertEquals(TcpFlags.ACK, r.flags(), r.toString());
            assertEquals(PEER_ISS + 2, r.acknowledgmentNumber());
            assertEquals(1, f.tcp().timeWaitCount(), "the old incarnation is still in TIME_WAIT");
            assertEquals(0, f.tcp().stats().get("TIME_WAIT connections recycled by a new SYN"));
        }
    }

    @ParameterizedTest(name = "vtw={0}")
    @ValueSource(booleans = {true, false})
    void synWithNewerTimestampOpensANewIncarnation(boolean vtw) throws Exception {
        try (Fixture f = new Fixture(vtw)) {
            f.toTimeWait();
            // a lower sequence number, but a newer timestamp: accepted (RFC 6191 section 2)
            int iss = PEER_ISS - 5000;
            f.peer.send(f.kaddr, f.ifp.lladdr(), RawTcpPeer.syn(PEER_PORT, PORT, iss, new TcpRepr.Timestamps(5000, 0)));
            TcpRepr synAck = f.peer.next();
            assertEquals(TcpFlags.SYN | TcpFlags.ACK, synAck.flags(), synAck.toString());
            assertEquals(iss + 1, synAck.acknowledgmentNumber());
            assertEquals(0, f.tcp().timeWaitCount());
            assertEquals(1, f.tcp().stats().get("TIME_WAIT connections recycled by a new SYN"));
            f.peer.send(f.kaddr, f.ifp.lladdr(), RawTcpPeer.segment(PEER_PORT, PORT, iss + 1,
                    synAck.sequenceNumber() + 1, TcpFlags.ACK, new TcpRepr.Timestamps(5001, synAck.timestamps().value()), 0));
            int fd = f.sys.accept(f.listener, null);
            f.sys.close(fd);
            assertEquals(TcpFlags.FIN | TcpFlags.ACK, f.peer.next().flags(), "the new incarnation works");
        }
    }

    @ParameterizedTest(name = "vtw={0}")
    @ValueSource(booleans = {true, false})
    void synWithEqualTimestampAndGreaterSequenceOrNoTimestampAndGreaterSequenceIsAccepted(boolean vtw)
            throws Exception {
        try (Fixture f = new Fixture(vtw)) {
            f.toTimeWait();
            f.peer.send(f.kaddr, f.ifp.lladdr(), RawTcpPeer.syn(PEER_PORT, PORT, PEER_ISS + 10,
                    new TcpRepr.Timestamps(f.tsRecent, 0)));
            TcpRepr synAck = f.peer.next();
            assertEquals(TcpFlags.SYN | TcpFlags.ACK, synAck.flags(), synAck.toString());
            assertEquals(0, f.tcp().timeWaitCount());
        }
        try (Fixture f = new Fixture(vtw)) {
            f.toTimeWait();
            f.peer.send(f.kaddr, f.ifp.lladdr(), RawTcpPeer.syn(PEER_PORT, PORT, PEER_ISS + 10, null));
            TcpRepr synAck = f.peer.next();
            assertEquals(TcpFlags.SYN | TcpFlags.ACK, synAck.flags(), synAck.toString());
            assertEquals(PEER_ISS + 11, synAck.acknowledgmentNumber());
        }
    }

    @ParameterizedTest(name = "vtw={0}")
    @ValueSource(booleans = {true, false})
    void bindToTheTimeWaitPortNeedsReuseAddr(boolean vtw) throws Exception {
        try (Fixture f = new Fixture(vtw)) {
            f.toTimeWait();
            f.sys.close(f.listener);
            Syscalls s = f.sys;
            int a = s.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
            ErrnoException e = assertThrows(ErrnoException.class, () -> s.bind(a, SockAddr.in("0.0.0.0", PORT)));
            assertEquals(Errno.EADDRINUSE, e.errno());
            e = assertThrows(ErrnoException.class, () -> s.bind(a, SockAddr.in("198.18.0.2", PORT)));
            assertEquals(Errno.EADDRINUSE, e.errno());
            s.setsockopt(a, SocketDefs.SOL_SOCKET, SocketDefs.SO_REUSEPORT, 1);
            e = assertThrows(ErrnoException.class, () -> s.bind(a, SockAddr.in("0.0.0.0", PORT)),
                    "SO_REUSEPORT needs the TIME_WAIT socket to have had it too");
            assertEquals(Errno.EADDRINUSE, e.errno());
            s.close(a);
            int b = s.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
            s.setsockopt(b, SocketDefs.SOL_SOCKET, SocketDefs.SO_REUSEADDR, 1);
            s.bind(b, SockAddr.in("0.0.0.0", PORT));
            s.listen(b, 5);
            s.close(b);
            // another port is free all along
            int c = s.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
            s.bind(c, SockAddr.in("0.0.0.0", PORT + 1));
            s.close(c);
            assertEquals(1, f.tcp().timeWaitCount());
        }
    }

    @ParameterizedTest(name = "vtw={0}")
    @ValueSource(booleans = {true, false})
    void soReusePortSharesThePortWithATimeWaitConnectionThatHadItToo(boolean vtw) throws Exception {
        try (Fixture f = new Fixture(vtw, SocketDefs.SO_REUSEPORT)) {
            f.toTimeWait();
            f.sys.close(f.listener);
            Syscalls s = f.sys;
            int a = s.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
            ErrnoException e = assertThrows(ErrnoException.class, () -> s.bind(a, SockAddr.in("0.0.0.0", PORT)));
            assertEquals(Errno.EADDRINUSE, e.errno(), "without an option the port is still taken");
            s.setsockopt(a, SocketDefs.SOL_SOCKET, SocketDefs.SO_REUSEPORT, 1);
            s.bind(a, SockAddr.in("0.0.0.0", PORT));
            s.close(a);
            assertEquals(1, f.tcp().timeWaitCount());
        }
    }

    @ParameterizedTest(name = "vtw={0}")
    @ValueSource(booleans = {true, false})
    void localPeerExpiresAfterTwiceTheLocalMsl(boolean vtw) throws Exception {
        try (Fixture f = new Fixture(vtw)) {
            f.toTimeWait();
            f.clock.advance(9_800_000_000L);
            assertEquals(1, f.tcp().timeWaitCount(), "2 * net.inet.tcp.mslt.local (5 s) not yet over");
            f.clock.advance(500_000_000L);
            assertEquals(0, f.tcp().timeWaitCount());
            // the four-tuple is nobody's now: the listener answers our FIN's ACK with a RST
            f.retransmitFin();
            TcpRepr r = f.peer.next();
            assertEquals(TcpFlags.RST, r.flags() & TcpFlags.RST, r.toString());
            assertEquals(f.kernelIss + 2, r.sequenceNumber());
        }
    }

    @ParameterizedTest(name = "vtw={0}")
    @ValueSource(booleans = {true, false})
    void withoutMsltTheDefaultMslApplies(boolean vtw) throws Exception {
        try (Fixture f = new Fixture(vtw)) {
            f.sys.sysctlWrite("net.inet.tcp.mslt.enable", "0");
            f.sys.sysctlWrite("net.inet.tcp.msl", "7");
            f.toTimeWait();
            f.clock.advance(13_800_000_000L);
            assertEquals(1, f.tcp().timeWaitCount());
            if (vtw) {
                assertEquals("1", f.sys.sysctlRead("net.inet.tcp.vtw.stats.inuse_default"));
            }
            f.clock.advance(500_000_000L);
            assertEquals(0, f.tcp().timeWaitCount());
        }
    }

    @ParameterizedTest(name = "vtw={0}")
    @ValueSource(booleans = {true, false})
    void aRetransmittedFinRestartsTheWait(boolean vtw) throws Exception {
        try (Fixture f = new Fixture(vtw)) {
            f.toTimeWait();
            f.clock.advance(8_000_000_000L);
            f.retransmitFin();
            f.assertAckOfFin(f.peer.next());
            f.clock.advance(8_000_000_000L);
            assertEquals(1, f.tcp().timeWaitCount(), "10 s from the retransmitted FIN, not from the first");
            f.clock.advance(2_500_000_000L);
            assertEquals(0, f.tcp().timeWaitCount());
        }
    }
}
