package io.jrump.systest;

import static io.jrump.systest.TcpStreamTest.tcp;
import static io.jrump.systest.TestNet.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jrump.hypercall.ManualClock;
import io.jrump.kern.Kernel;
import io.jrump.kern.file.KFile;
import io.jrump.kern.file.Poll;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.netinet.Counters;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.socket.Socket;
import io.jrump.virtif.Hub;
import io.jrump.virtif.LinkEmulator;
import io.jrump.wire.InternetChecksum;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Many prebuilt frames ({@code MbufPool.getPrebuilt}) from one kernel to another over a hub link that
 * loses, duplicates and reorders frames from a fixed seed, sent the way AFPA's hook mode sends (issue
 * 17; seed {@code 000_e72d5458a6362c1e}): queued with {@code sendLocked} from the socket's upcall each
 * time the send buffer has room. The stream must arrive byte-exact, and each frame's free hook must fire
 * exactly once, retransmissions included. Time is virtual, as in {@link TcpLossyTransferTest}.
 */
class TcpPrebuiltTransferTest {
    private static final int FRAMES = 1500;
    private static final int HEADROOM = 54;
    private static final long SEED = 7;

    @Test
    void prebuiltFramesArriveByteExactOverALossyLinkAndEachHookFiresOnce() throws Exception {
        ManualClock clock = new ManualClock();
        try (TestNet net = new TestNet(clock)) {
            Hub hub = new Hub("h");
            Kernel a = net.boot("a");
            Kernel b = net.boot("b");
            String emu = "loss=5%,dup=1%,reorder=5%,reorder-delay=3ms,delay=2ms,limit=2000";
            attach(a, "shmif0", new LinkEmulator(a.hypercall(), hub.attach(), emu + ",seed=" + SEED), "198.18.0.1/24");
            attach(b, "shmif0", new LinkEmulator(b.hypercall(), hub.attach(), emu + ",seed=" + (SEED + 100)),
                    "198.18.0.2/24");
            // Frame sizes: mostly a segment's payload or less, some larger than a segment (cut as any data).
            SplittableRandom rnd = new SplittableRandom(SEED);
            int[] sizes = new int[FRAMES];
            int[] offs = new int[FRAMES];
            int total = 0;
            for (int i = 0; i < FRAMES; i++) {
                int r = rnd.nextInt(10);
                sizes[i] = r < 5 ? 1448 : r < 9 ? rnd.nextInt(1, 1449) : rnd.nextInt(1449, 4000);
                offs[i] = total + HEADROOM;
                total += HEADROOM + sizes[i];
            }
            byte[] buf = new byte[total];
            rnd.nextBytes(buf);
            byte[] before = buf.clone();
            ByteArrayOutputStream want = new ByteArrayOutputStream();
            for (int i = 0; i < FRAMES; i++) {
                want.write(buf, offs[i], sizes[i]);
            }
            AtomicIntegerArray fired = new AtomicIntegerArray(FRAMES);
            AtomicInteger firedTotal = new AtomicInteger();

            Syscalls sa = a.syscalls();
            Syscalls sb = b.syscalls();
            int l = tcp(sb);
            sb.bind(l, SockAddr.in("0.0.0.0", 5001));
            sb.listen(l, 5);
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread reader = new Thread(() -> {
                try {
                    int srv = sb.accept(l, null);
                    ByteBuffer bb = ByteBuffer.allocate(65536);
                    for (;;) {
                        bb.clear();
                        int n = sb.read(srv, bb);
                        if (n == 0) {
                            break;
                        }
                        synchronized (got) {
                            got.write(bb.array(), 0, n);
                        }
                    }
                    sb.close(srv);
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "reader");
            CountDownLatch queued = new CountDownLatch(1);
            Thread writer = new Thread(() -> {
                try {
                    int c = tcp(sa);
                    sa.connect(c, SockAddr.in("198.18.0.2", 5001));
                    KFile fp = a.proc1().files().get(c);
                    Socket so = (Socket) fp.data();
                    a.proc1().files().put(fp);
                    int[] next = {0};
                    Runnable fill = () -> {
                        while (next[0] < FRAMES && so.snd.space() >= sizes[next[0]]) {
                            int i = next[0]++;
                            int sum = InternetChecksum.sum(buf, offs[i], sizes[i]);
                            Mbuf m = so.mbufs().getPrebuilt(buf, offs[i], sizes[i], HEADROOM, sum, (x, o, len, arg) -> {
                                fired.incrementAndGet((Integer) arg);
                                firedTotal.incrementAndGet();
                            }, i);
                            int e = m == null ? -1 : so.sendLocked(m);
                            if (e != 0) {
                                failure.set(new AssertionError("sendLocked of frame " + i + ": " + e));
                                next[0] = FRAMES;
                            }
                        }
                        if (next[0] == FRAMES) {
                            queued.countDown();
                        }
                    };
                    so.lock().enter();
                    try {
                        so.setUpcall((s, ev) -> {
                            if ((ev & Poll.POLLOUT) != 0) {
                                fill.run();
                            }
                        });
                        fill.run();
                    } finally {
                        so.lock().exit();
                    }
                    queued.await();
                    sa.close(c);
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "writer");
            reader.start();
            writer.start();
            Counters ta = inet(a).tcp().stats();
            Counters tb = inet(b).tcp().stats();
            TcpLossyTransferTest.describe = () -> "received " + got.size() + " hooks " + firedTotal.get()
                    + " failure " + failure.get() + "\na:\n" + inet(a).tcp().describeConnections();
            TcpLossyTransferTest.runVirtualTime(clock, List.of(a, b), reader, () -> failure.get() != null,
                    () -> ta.get("packets sent") + tb.get("packets sent") + got.size(), reader, writer);
            writer.join(10_000);
            if (failure.get() != null) {
                fail("transfer failed after " + got.size() + " bytes", failure.get());
            }
            assertArrayEquals(want.toByteArray(), got.toByteArray(), "the stream arrives byte-exact");
            assertTrue(ta.get("data packets retransmitted") > 0, "losses were repaired by retransmission");
            // The last ACKs may still be lost and repaired: let virtual time run until every hook fired.
            Thread hooks = new Thread(() -> {
                while (firedTotal.get() < FRAMES) {
                    LockSupport.parkNanos(1_000_000);
                }
            }, "hooks");
            hooks.start();
            TcpLossyTransferTest.runVirtualTime(clock, List.of(a, b), hooks, () -> false,
                    () -> ta.get("packets received") + firedTotal.get());
            for (int i = 0; i < FRAMES; i++) {
                assertEquals(1, fired.get(i), "frame " + i + "'s hook fired exactly once");
            }
            assertArrayEquals(before, buf, "no frame's bytes, headroom included, were ever written");
            sb.close(l);
            clock.advance(130_000_000_000L);
        }
    }
}
