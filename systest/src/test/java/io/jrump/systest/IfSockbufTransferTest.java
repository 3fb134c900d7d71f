package io.jrump.systest;

import static io.jrump.systest.TcpStreamTest.tcp;
import static io.jrump.systest.TestNet.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jrump.hypercall.ManualClock;
import io.jrump.kern.Kernel;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.net.IfSockbufQuota;
import io.jrump.net.Ifnet;
import io.jrump.netinet.Counters;
import io.jrump.virtif.Hub;
import io.jrump.virtif.LinkEmulator;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * DART's {@code if_sockbuf} (seed 002) between two kernels over a lossy, reordering, delaying link from a
 * fixed seed, in virtual time: with the quota on both interfaces (above {@code kern.sbmax}) and without
 * it, 8 MB arrive byte-exact; with it, both ends of the connection got the quota without asking, and
 * the window the receiver advertised exceeded what {@code kern.sbmax} allows, so the raised buffer was
 * used through the window scale chosen at the SYN.
 */
class IfSockbufTransferTest {
    private static final int SIZE = 8 << 20;
    private static final int QUOTA = 3 << 20;

    @ParameterizedTest(name = "sockbuf {0}, {1}% loss, seed {2}")
    @CsvSource({"false, 1, 7", "true, 1, 7", "true, 0, 8"})
    void transferArrivesByteExact(boolean sockbuf, int loss, long seed) throws Exception {
        ManualClock clock = new ManualClock();
        try (TestNet net = new TestNet(clock)) {
            Hub hub = new Hub("h");
            Kernel a = net.boot("a");
            Kernel b = net.boot("b");
            String emu = "loss=" + loss + "%,reorder=2%,reorder-delay=2ms,delay=10ms,rate=400mbit,limit=20000";
            Ifnet ia = attach(a, "shmif0", new LinkEmulator(a.hypercall(), hub.attach(), emu + ",seed=" + seed),
                    "198.18.0.1/24");
            Ifnet ib = attach(b, "shmif0", new LinkEmulator(b.hypercall(), hub.attach(), emu + ",seed=" + (seed + 50)),
                    "198.18.0.2/24");
            if (sockbuf) {
                ia.setSockbufHook(IfSockbufQuota.parse(ia, "3m"));
                ib.setSockbufHook(IfSockbufQuota.parse(ib, "3m"));
            }
            Syscalls sa = a.syscalls();
            Syscalls sb = b.syscalls();
            int sbmax = Integer.parseInt(sa.sysctlRead("kern.sbmax").trim());
            int l = tcp(sb);
            sb.bind(l, SockAddr.in("0.0.0.0", 5001));
            sb.listen(l, 5);
            byte[] data = new byte[SIZE];
            new SplittableRandom(seed).nextBytes(data);
            AtomicLong received = new AtomicLong();
            AtomicInteger rcvbuf = new AtomicInteger();
            AtomicInteger sndbuf = new AtomicInteger();
            AtomicReference<byte[]> digest = new AtomicReference<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread reader = new Thread(() -> {
                try {
                    int srv = sb.accept(l, null);
                    rcvbuf.set(sb.getsockopt(srv, SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVBUF));
                    MessageDigest md = MessageDigest.getInstance("SHA-256");
                    ByteBuffer buf = ByteBuffer.allocate(65536);
                    for (;;) {
                        buf.clear();
                        int n = sb.read(srv, buf);
                        if (n == 0) {
                            break;
                        }
                        md.update(buf.array(), 0, n);
                        received.addAndGet(n);
                    }
                    digest.set(md.digest());
                    sb.close(srv);
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "reader");
            Thread writer = new Thread(() -> {
                try {
                    int c = tcp(sa);
                    sa.connect(c, SockAddr.in("198.18.0.2", 5001));
                    sndbuf.set(sa.getsockopt(c, SocketDefs.SOL_SOCKET, SocketDefs.SO_SNDBUF));
                    ByteBuffer src = ByteBuffer.wrap(data);
                    while (src.hasRemaining()) {
                        sa.write(c, src);
                    }
                    sa.close(c);
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "writer");
            reader.start();
            writer.start();
            Counters ta = inet(a).tcp().stats();
            Counters tb = inet(b).tcp().stats();
            TcpLossyTransferTest.runVirtualTime(clock, List.of(a, b), reader, () -> failure.get() != null,
                    () -> ta.get("packets sent") + tb.get("packets sent") + received.get(), reader, writer);
            writer.join(10_000);
            if (failure.get() != null) {
                fail("transfer failed after " + received.get() + " bytes", failure.get());
            }
            assertEquals(SIZE, received.get());
            assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(data), digest.get());
            if (sockbuf) {
                assertEquals(QUOTA, rcvbuf.get(), "the accepted socket got the interface's quota");
                assertEquals(QUOTA, sndbuf.get(), "the connecting socket got the interface's quota");
                assertTrue(QUOTA > sbmax);
                assertEquals(1, ta.get("connections whose buffers the interface raised (if_sockbuf)"));
                assertEquals(1, tb.get("connections whose buffers the interface raised (if_sockbuf)"));
            } else {
                assertTrue(rcvbuf.get() <= sbmax, "no quota: the default buffer " + rcvbuf.get());
                assertEquals(0, tb.get("connections whose buffers the interface raised (if_sockbuf)"));
            }
            if (loss > 0) {
                assertTrue(ta.get("data packets retransmitted") > 0, "losses were repaired");
            }
            sb.close(l);
            clock.advance(130_000_000_000L);
        }
    }
}
