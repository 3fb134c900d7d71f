package io.jrump.netinet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jrump.hypercall.BufferConsole;
import io.jrump.hypercall.Errno;
import io.jrump.hypercall.HostHypercall;
import io.jrump.hypercall.ManualClock;
import io.jrump.hypercall.SeededRandom;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.HaltReport;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.net.IfIoctl;
import io.jrump.net.IfReq;
import io.jrump.net.Ifnet;
import io.jrump.net.IfnetDriver;
import io.jrump.net.Interfaces;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufCopy;
import io.jrump.wire.EtherType;
import io.jrump.wire.EthernetFrame;
import io.jrump.wire.EthernetRepr;
import io.jrump.wire.IcmpPacket;
import io.jrump.wire.IpProtocol;
import io.jrump.wire.Ipv4Address;
import io.jrump.wire.Ipv4Packet;
import io.jrump.wire.Ipv4Repr;
import io.jrump.wire.UdpPacket;
import io.jrump.wire.UdpRepr;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * One kernel and a test-controlled peer on the other end of its only Ethernet interface, in the style
 * of gVisor's {@code testing/context}: the test crafts the peer's frames, injects them, and checks the
 * frames the kernel sends back, byte by byte or parsed. Time is a {@link ManualClock}: timers fire
 * only inside {@link #advance}, on the test's thread. The protocol tests of every sub-package build on
 * it; TCP's adds connections and segments ({@code tcp.TcpTestContext}).
 *
 * <p>The kernel is 198.18.0.1/24 on {@code tst0}, the peer 198.18.0.2. Without ARP
 * ({@code IFF_NOARP}) every frame goes out as soon as IP has it; with ARP the kernel resolves the peer
 * first, as on a real link. Injected frames go through the interface's input and the network softint;
 * {@link #injectFrame} returns when that softint has run, so whatever the kernel answers is captured.
 */
public class NetTestContext implements AutoCloseable {
    public static final int LOCAL = Ipv4Address.parse("198.18.0.1");
    public static final int REMOTE = Ipv4Address.parse("198.18.0.2");
    /** The subnet's directed broadcast address. */
    public static final int BROADCAST = Ipv4Address.parse("198.18.0.255");
    public static final long LOCAL_MAC = 0x0200_0000_0001L;
    public static final long REMOTE_MAC = 0x0200_0000_0002L;
    public static final int MTU = 1500;
    public static final long MS = 1_000_000L;
    public static final long SEC = 1_000_000_000L;
    /** One clock tick at the kernel's 100 Hz: the granularity of every timer. */
    public static final long TICK = 10 * MS;

    /** A frame the kernel sent, and when it left by the manual clock. */
    public record Frame(byte[] bytes, long atNanos) {
        public int etherType() {
            return new EthernetFrame().wrap(bytes, 0, bytes.length).etherType();
        }

        public long destinationMac() {
            return new EthernetFrame().wrap(bytes, 0, bytes.length).destination();
        }

        /** What follows the Ethernet header. */
        public byte[] payload() {
            return Arrays.copyOfRange(bytes, EthernetFrame.HEADER_LEN, bytes.length);
        }

        /** The IPv4 datagram in the frame, whose header must be valid (lengths and checksum). */
        public Ipv4Packet ip() {
            assertEquals(EtherType.IPV4, etherType(), "ether type of " + this);
            int off = EthernetFrame.HEADER_LEN;
            Ipv4Packet ip = new Ipv4Packet().wrap(bytes, off, bytes.length - off);
            assertTrue(ip.checkHeader().isOk() && ip.verifyChecksum(), "a valid IPv4 header in " + this);
            return ip;
        }

        /** What follows the IPv4 header, up to the datagram's total length. */
        public byte[] ipPayload() {
            Ipv4Packet ip = ip();
            return Arrays.copyOfRange(bytes, EthernetFrame.HEADER_LEN + ip.headerLength(),
                    EthernetFrame.HEADER_LEN + ip.totalLength());
        }

        @Override
        public String toString() {
            return "frame type 0x" + Integer.toHexString(etherType()) + " of " + bytes.length + " bytes at "
                    + atNanos / MS + " ms";
        }
    }

    /** A datagram a socket received, and from where. */
    public record Received(byte[] data, int from, int fromPort) {
    }

    /**
     * Whether the suites run with Lazy Receiver Processing on ({@code -Djrump.lrp=1}, the second surefire
     * execution): every test then holds in both receive modes.
     */
    public static final boolean LAZY = "1".equals(System.getProperty("jrump.lrp"));

    public final ManualClock clock = new ManualClock();
    public final BufferConsole console = new BufferConsole();
    public final Kernel kernel;
    public final Syscalls sys;
    public final Inet inet;
    public final Ifnet ifp;
    private final ArrayDeque<Frame> frames = new ArrayDeque<>();
    private final List<String> transmitErrors = new ArrayList<>();
    private boolean halted;

    /** A kernel on a link without ARP; {@code seed} drives its random numbers. */
    public NetTestContext(long seed) throws Exception {
        this(seed, false);
    }

    /** With {@code arp}, the interface resolves neighbours; otherwise it is {@code IFF_NOARP}. */
    public NetTestContext(long seed, boolean arp) throws Exception {
        HostHypercall hc = HostHypercall.builder().environment(Map.of()).console(console).clock(clock)
                .random(new SeededRandom(seed)).build();
        kernel = Kernel.boot(KernelConfig.builder().hostname("nettest").ncpu(1).hypercall(hc)
                .component("rumpnet_netinet").build());
        sys = kernel.syscalls();
        inet = kernel.service(Inet.class);
        if (LAZY) {
            kernel.sysctl().write("net.inet.lrp.enable", "1", Cred.ROOT);
        }
        Interfaces ifs = kernel.service(Interfaces.class);
        ifp = ifs.attach("tst0", Ifnet.IFT_ETHER, MTU, LOCAL_MAC,
                Ifnet.IFF_BROADCAST | Ifnet.IFF_SIMPLEX | (arp ? 0 : Ifnet.IFF_NOARP), new Capture());
        IfReq r = new IfReq("tst0");
        r.addr = LOCAL;
        r.netmask = Ipv4Address.netmask(24);
        ifs.ioctl(IfIoctl.SIOCAIFADDR, r, Cred.ROOT);
        IfReq f = new IfReq("tst0");
        ifs.ioctl(IfIoctl.SIOCGIFFLAGS, f, Cred.ROOT);
        f.flags |= Ifnet.IFF_UP;
        ifs.ioctl(IfIoctl.SIOCSIFFLAGS, f, Cred.ROOT);
        settle();
        synchronized (frames) {
            frames.clear();
        }
    }

    /** The interface's driver: keeps every frame the kernel sends, and frees the mbufs. */
    private final class Capture implements IfnetDriver {
        @Override
        public void transmit(Ifnet ifp, Mbuf m) {
            try {
                Frame f = new Frame(MbufCopy.toBytes(m), clock.monotonicNanos());
                synchronized (frames) {
                    frames.add(f);
                }
            } catch (RuntimeException e) {
                // never throw on the kernel's thread: the test fails on it in close()
                synchronized (frames) {
                    transmitErrors.add(String.valueOf(e));
                }
            } finally {
                ifp.mbufs().freeChain(m);
            }
        }

        @Override
        public void stop(Ifnet ifp) {
        }
    }

    // ---- the peer's side: injection

    /** Puts {@code frame} on the wire toward the kernel and waits until the kernel has processed it. */
    public void injectFrame(byte[] frame) {
        ifp.input(MbufCopy.fromBytes(ifp.mbufs(), frame, 0, frame.length));
        settle();
    }

    /** Sends {@code payload} of {@code etherType} from the peer's MAC to {@code dstMac}. */
    public void injectEther(long dstMac, int etherType, byte[] payload) {
        byte[] frame = new byte[EthernetFrame.HEADER_LEN + payload.length];
        new EthernetRepr(REMOTE_MAC, dstMac, etherType).emit(new EthernetFrame().wrap(frame, 0, frame.length));
        System.arraycopy(payload, 0, frame, EthernetFrame.HEADER_LEN, payload.length);
        injectFrame(frame);
    }

    /** Sends an IPv4 datagram (header included, as given: checksums are the caller's) from the peer. */
    public void injectIp(byte[] ipPacket) {
        injectEther(LOCAL_MAC, EtherType.IPV4, ipPacket);
    }

    /**
     * The reader of {@code fd} looks at it without taking anything (FIONREAD): under Lazy Receiver
     * Processing that is when a datagram socket's channel is processed, so a test that counts what input
     * made of its frames calls this first; in eager mode input has already run.
     */
    public void readerLooks(int fd) throws io.jrump.kern.ErrnoException {
        sys.ioctl(fd, io.jrump.kern.syscall.SocketDefs.FIONREAD, new int[1]);
        settle();
    }

    /** Waits until no softint is pending: whatever the kernel does in reply has been sent. */
    public void settle() {
        do {
            kernel.softints().drain();
            inet.lrp().awaitIdle();
        } while (!inet.lrp().idle());
    }

    /** Moves the clock by {@code nanos}, firing every timer that falls due, in order. */
    public void advance(long nanos) {
        clock.advance(nanos);
        settle();
    }

    // ---- datagrams

    /** An IPv4 datagram with a correct header checksum, DF clear, identification 0. */
    public static byte[] ipv4(int src, int dst, int proto, int ttl, byte[] payload) {
        byte[] p = new byte[Ipv4Packet.HEADER_LEN + payload.length];
        Ipv4Repr.of(src, dst, proto, payload.length, ttl).emit(new Ipv4Packet().wrap(p, 0, p.length));
        System.arraycopy(payload, 0, p, Ipv4Packet.HEADER_LEN, payload.length);
        return p;
    }

    /** A UDP datagram in IPv4 (TTL 64) with correct checksums. */
    public static byte[] udp(int src, int sport, int dst, int dport, byte[] data) {
        byte[] u = new byte[UdpPacket.HEADER_LEN + data.length];
        System.arraycopy(data, 0, u, UdpPacket.HEADER_LEN, data.length);
        new UdpRepr(sport, dport, data.length).emit(new UdpPacket().wrap(u, 0, u.length), src, dst);
        return ipv4(src, dst, IpProtocol.UDP, 64, u);
    }

    /**
     * One fragment of {@code datagram} (header first, 20 bytes, no options): its data from
     * {@code off} for {@code len} bytes, with More Fragments as given and a fresh header checksum.
     */
    public static byte[] fragment(byte[] datagram, int id, int off, int len, boolean more) {
        int hlen = Ipv4Packet.HEADER_LEN;
        byte[] f = new byte[hlen + len];
        System.arraycopy(datagram, 0, f, 0, hlen);
        System.arraycopy(datagram, hlen + off, f, hlen, len);
        Ipv4Packet ip = new Ipv4Packet().wrap(f, 0, f.length);
        ip.setTotalLength(f.length);
        ip.setIdentification(id);
        ip.setFlagsAndFragmentOffset(false, more, off);
        ip.fillChecksum();
        return f;
    }

    /** Recomputes the header checksum of {@code datagram} after a test changed its header; returns it. */
    public static byte[] resum(byte[] datagram) {
        Ipv4Packet ip = new Ipv4Packet().wrap(datagram, 0, datagram.length);
        ip.setChecksum(0);
        ip.fillChecksum();
        return datagram;
    }

    /** {@code n} bytes of a recognisable pattern. */
    public static byte[] bytes(int n, int seed) {
        byte[] d = new byte[n];
        for (int i = 0; i < n; i++) {
            d[i] = (byte) (seed + i * 31);
        }
        return d;
    }

    /** A non-blocking UDP socket bound to {@code addr:port}. */
    public int udpSocket(int addr, int port) throws ErrnoException {
        int fd = sys.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM | SocketDefs.SOCK_NONBLOCK, 0);
        sys.bind(fd, SockAddr.in(addr, port));
        return fd;
    }

    /** The next datagram waiting on {@code fd}, or null if none is (EAGAIN). */
    public Received receive(int fd) throws ErrnoException {
        ByteBuffer b = ByteBuffer.allocate(65536);
        SockAddr from = new SockAddr();
        try {
            int n = sys.recvfrom(fd, b, 0, from);
            return new Received(Arrays.copyOf(b.array(), n), from.addr, from.port);
        } catch (ErrnoException e) {
            if (e.errno() == Errno.EAGAIN) {
                return null;
            }
            throw e;
        }
    }

    // ---- the kernel's side: capture

    /** The next frame the kernel sent, or null if it sent nothing more. */
    public Frame nextFrame() {
        synchronized (frames) {
            return frames.poll();
        }
    }

    /** Every frame the kernel sent that the test has not taken yet. */
    public List<Frame> takeFrames() {
        synchronized (frames) {
            List<Frame> l = new ArrayList<>(frames);
            frames.clear();
            return l;
        }
    }

    /** The next frame, which must be of {@code etherType}; fails naming what came instead. */
    public Frame expectFrame(int etherType, String what) {
        Frame f = nextFrame();
        if (f == null) {
            fail("expected " + what + " but the kernel sent nothing");
        }
        assertEquals(etherType, f.etherType(), what + ": ether type of " + f);
        return f;
    }

    /**
     * The next frame, which must be an ICMP message of {@code type} and {@code code} from the kernel to
     * the peer with a correct checksum; returns the message, ICMP header first.
     */
    public byte[] expectIcmp(int type, int code) {
        Ipv4Packet ip = expectFrame(EtherType.IPV4, "ICMP type " + type + " code " + code).ip();
        assertEquals(IpProtocol.ICMP, ip.protocol(), "protocol");
        assertEquals(Ipv4Address.format(LOCAL), Ipv4Address.format(ip.source()), "ICMP source");
        assertEquals(Ipv4Address.format(REMOTE), Ipv4Address.format(ip.destination()), "ICMP destination");
        byte[] icmp = Arrays.copyOfRange(ip.buffer(), ip.payloadOffset(), ip.payloadOffset() + ip.payloadLength());
        IcmpPacket p = new IcmpPacket().wrap(icmp, 0, icmp.length);
        assertTrue(p.verifyChecksum(), "ICMP checksum");
        assertEquals(type, p.type(), "ICMP type");
        assertEquals(code, p.code(), "ICMP code");
        return icmp;
    }

    /** Fails if the kernel sent any frame the test has not taken. */
    public void expectNoFrame(String why) {
        List<Frame> l = takeFrames();
        if (!l.isEmpty()) {
            fail("expected no frame (" + why + ") but the kernel sent " + l);
        }
    }

    /** Halts the kernel; fails unless it halts clean and no softint ever threw. */
    @Override
    public void close() {
        if (halted) {
            return;
        }
        halted = true;
        long failures = kernel.softints().failures();
        HaltReport r = kernel.halt();
        assertEquals(0, failures, "an exception escaped the kernel's input processing:\n" + console.text());
        synchronized (frames) {
            assertTrue(transmitErrors.isEmpty(), "capturing the kernel's frames failed: " + transmitErrors);
        }
        assertTrue(r.clean(), "the kernel did not halt clean: " + r);
        for (String line : console.lines()) {
            assertTrue(!line.contains("Exception") && !line.contains("Error"), "the kernel logged: " + line);
        }
    }
}
