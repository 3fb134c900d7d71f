package io.jrump.systest;

import static io.jrump.systest.TestNet.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jrump.kern.Kernel;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.net.Ifnet;
import io.jrump.rumpnet.mbuf.CsumFlags;
import io.jrump.rumpnet.mbuf.MbufCopy;
import io.jrump.wire.ChecksumAccumulator;
import io.jrump.wire.IpProtocol;
import io.jrump.virtif.EtherLink;
import io.jrump.virtif.Hub;
import io.jrump.virtif.LinkEmulator;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * TCP checksum offload on the in-process hub: kernels on the hub leave TCP checksums partial, and every
 * place where the bytes could be seen or damaged gets finished checksums: a plain listener on the hub,
 * a capture tap on the sending interface, and a link emulator in the path.
 */
class ChecksumOffloadTest {
    /**
     * Counts TCP frames and those whose checksum does not verify. The bad count is final for every frame
     * already counted, so a test that reads both while the last ACKs still cross the hub sees no frame
     * half-checked.
     */
    static final class TcpChecker {
        final AtomicLong tcp = new AtomicLong();
        final AtomicLong bad = new AtomicLong();

        void check(byte[] f, int off, int len) {
            if (len < 54 || (f[off + 12] & 0xff) != 0x08 || f[off + 13] != 0 || f[off + 23] != 6) {
                return;
            }
            if (!verifies(f, off)) {
                bad.incrementAndGet();
            }
            tcp.incrementAndGet();
        }
    }

    /** RFC 9293 section 3.1: the sum over pseudo-header and segment, checksum included, is all ones. */
    static boolean verifies(byte[] f, int off) {
        int ip = off + 14;
        int hlen = (f[ip] & 0xf) * 4;
        int total = (f[ip + 2] & 0xff) << 8 | f[ip + 3] & 0xff;
        int src = ByteBuffer.wrap(f, ip + 12, 4).getInt();
        int dst = ByteBuffer.wrap(f, ip + 16, 4).getInt();
        return new ChecksumAccumulator().addPseudoHeader(src, dst, IpProtocol.TCP, total - hlen)
                .add(f, ip + hlen, total - hlen).checksum() == 0;
    }

    static void transfer(Kernel a, Kernel b, String to, int bytes) throws Exception {
        Syscalls sa = a.syscalls();
        Syscalls sb = b.syscalls();
        int l = sb.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
        sb.bind(l, SockAddr.in("0.0.0.0", 5001));
        sb.listen(l, 1);
        int c = sa.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
        sa.connect(c, SockAddr.in(to, 5001));
        int s = sb.accept(l, null);
        Thread writer = new Thread(() -> {
            try {
                ByteBuffer src = ByteBuffer.allocate(bytes);
                while (src.hasRemaining()) {
                    sa.write(c, src);
                }
                sa.close(c);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        writer.start();
        ByteBuffer dst = ByteBuffer.allocate(64 << 10);
        long got = 0;
        for (int n; (n = sb.read(s, dst.clear())) > 0; ) {
            got += n;
        }
        writer.join();
        assertEquals(bytes, got);
        sb.close(s);
        sb.close(l);
    }

    @Test
    void hubInterfacesOfferOffloadAndOthersOnTheHubSeeFinishedChecksums() throws Exception {
        try (TestNet net = new TestNet()) {
            Hub hub = new Hub("h");
            Kernel a = net.boot("a");
            Kernel b = net.boot("b");
            Ifnet ia = attach(a, "shmif0", hub.attach(), "198.18.0.1/24");
            attach(b, "shmif0", hub.attach(), "198.18.0.2/24");
            assertEquals(CsumFlags.M_CSUM_TCPv4, ia.csumFlagsTx() & CsumFlags.M_CSUM_TCPv4);
            TcpChecker listener = new TcpChecker();
            EtherLink sniffer = hub.attach();
            sniffer.setReceiver(listener::check);
            transfer(a, b, "198.18.0.2", 1 << 20);
            assertTrue(listener.tcp.get() > 20, "the third port saw the connection");
            assertEquals(0, listener.bad.get(), "a port that cannot take partial checksums gets finished ones");
            assertEquals(0, inet(b).tcp().stats().get("discarded for bad checksums"));
            sniffer.close();
        }
    }

    @Test
    void aCaptureOnTheSendingInterfaceSeesFinishedChecksums() throws Exception {
        try (TestNet net = new TestNet()) {
            Hub hub = new Hub("h");
            Kernel a = net.boot("a");
            Kernel b = net.boot("b");
            Ifnet ia = attach(a, "shmif0", hub.attach(), "198.18.0.1/24");
            Ifnet ib = attach(b, "shmif0", hub.attach(), "198.18.0.2/24");
            TcpChecker out = new TcpChecker();
            TcpChecker in = new TcpChecker();
            ia.addTap((ifp, m, outbound) -> {
                if (outbound) {
                    byte[] f = MbufCopy.toBytes(m);
                    out.check(f, 0, f.length);
                }
            });
            ib.addTap((ifp, m, outbound) -> {
                if (!outbound) {
                    byte[] f = MbufCopy.toBytes(m);
                    in.check(f, 0, f.length);
                }
            });
            transfer(a, b, "198.18.0.2", 256 << 10);
            assertTrue(out.tcp.get() > 5);
            assertEquals(0, out.bad.get(), "captured output has finished checksums");
            assertEquals(0, in.bad.get(), "captured input has finished checksums");
        }
    }

    @Test
    void aLinkEmulatorThatCorruptsFramesStillHasEveryDamagedSegmentDropped() throws Exception {
        try (TestNet net = new TestNet()) {
            Hub hub = new Hub("h");
            Kernel a = net.boot("a");
            Kernel b = net.boot("b");
            Ifnet ia = attach(a, "shmif0", hub.attach(), "198.18.0.1/24");
            LinkEmulator lossy = new LinkEmulator(b.hypercall(), hub.attach(), "in.corrupt=2%,seed=7");
            Ifnet ib = attach(b, "shmif0", lossy, "198.18.0.2/24");
            assertEquals(0, ib.csumFlagsTx() & CsumFlags.M_CSUM_TCPv4, "an emulated link does not offer offload");
            transfer(a, b, "198.18.0.2", 2 << 20);
            assertTrue(inet(b).tcp().stats().get("discarded for bad checksums") > 0,
                    "corrupted segments from an offloading sender were caught by the receiver");
        }
    }
}
