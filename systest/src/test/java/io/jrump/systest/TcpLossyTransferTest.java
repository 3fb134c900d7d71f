package io.jrump.systest;

import static io.jrump.systest.TcpStreamTest.tcp;
import static io.jrump.systest.TestNet.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jrump.hypercall.ManualClock;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.netinet.Counters;
import io.jrump.virtif.Hub;
import io.jrump.virtif.LinkEmulator;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * 20 MB over a link that loses, duplicates and reorders frames, from fixed seeds, for both congestion
 * controls: the bytes must arrive exactly. Time is virtual: the kernels share a {@link ManualClock}
 * which the test moves to the next timer whenever the network has gone quiet, so a retransmission
 * timeout costs no wall-clock time and a run is a discrete-event simulation of the link.
 */
class TcpLossyTransferTest {
    static final int SIZE = 20 << 20;
    static java.util.function.Supplier<String> describe = () -> "";

    static Stream<Arguments> cases() {
        List<Arguments> l = new ArrayList<>();
        if (System.getProperty("tcp.lossy.case") != null) {
            String[] p = System.getProperty("tcp.lossy.case").split(",");
            return Stream.of(Arguments.of(Integer.parseInt(p[0]), p[1], Long.parseLong(p[2])));
        }
        for (String cc : List.of("newreno", "cubic")) {
            l.add(Arguments.of(0, cc, 1L));
            for (long seed : new long[] {1, 2}) {
                l.add(Arguments.of(1, cc, seed));
                l.add(Arguments.of(5, cc, seed));
            }
            l.add(Arguments.of(20, cc, 3L));
        }
        return l.stream();
    }

    @ParameterizedTest(name = "{0}% loss, {1}, seed {2}")
    @MethodSource("cases")
    void twentyMegabytesArriveByteExact(int loss, String cc, long seed) throws Exception {
        ManualClock clock = new ManualClock();
        try (TestNet net = new TestNet(clock)) {
            Hub hub = new Hub("h");
            Kernel a = net.boot("a");
            Kernel b = net.boot("b");
            String emu = "loss=" + loss + "%,dup=1%,reorder=5%,reorder-delay=3ms,delay=2ms,limit=2000";
            attach(a, "shmif0", new LinkEmulator(a.hypercall(), hub.attach(), emu + ",seed=" + seed), "198.18.0.1/24");
            attach(b, "shmif0", new LinkEmulator(b.hypercall(), hub.attach(), emu + ",seed=" + (seed + 100)),
                    "198.18.0.2/24");
            for (Kernel k : List.of(a, b)) {
                k.syscalls().sysctlWrite("net.inet.tcp.congctl.selected", cc);
            }
            Syscalls sa = a.syscalls();
            Syscalls sb = b.syscalls();
            int l = tcp(sb);
            sb.bind(l, SockAddr.in("0.0.0.0", 5001));
            sb.listen(l, 5);
            byte[] data = new byte[SIZE];
            new SplittableRandom(seed).nextBytes(data);
            AtomicLong received = new AtomicLong();
            AtomicReference<byte[]> digest = new AtomicReference<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread reader = new Thread(() -> {
                try {
                    int srv = sb.accept(l, null);
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
            describe = () -> "received " + received.get() + " failure " + failure.get() + "\na:\n"
                    + inet(a).tcp().describeConnections() + "b:\n" + inet(b).tcp().describeConnections()
                    + "\nsender " + inet(a).tcp().stats().snapshot() + "\nreceiver " + inet(b).tcp().stats().snapshot();
            runVirtualTime(clock, List.of(a, b), reader, () -> failure.get() != null, () -> ta.get("packets sent") + tb.get("packets sent") + received.get()
                    + ta.get("packets received") + tb.get("packets received"), reader, writer);
            writer.join(10_000);
            if (failure.get() != null) {
                fail("transfer failed after " + received.get() + " bytes at virtual " + clock.monotonicNanos() / 1e9
                        + " s\nsender " + ta.snapshot() + "\nreceiver " + tb.snapshot(), failure.get());
            }
            System.out.printf(java.util.Locale.ROOT, "%d%% loss, %s, seed %d: %.1f virtual s, %d retransmit timeouts, %d fast retransmits%n",
                    loss, cc, seed, clock.monotonicNanos() / 1e9, ta.get("retransmit timeouts"), ta.get("fast retransmits"));
            assertEquals(SIZE, received.get());
            assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(data), digest.get());
            if (loss > 0) {
                assertTrue(ta.get("data packets retransmitted") > 0, "losses were repaired by retransmission");
            }
            sb.close(l);
            // let TIME_WAIT and the last ACKs finish under the virtual clock, then nothing may be left
            clock.advance(130_000_000_000L);
        }
    }

    /**
     * Moves the shared clock to the next timer whenever the progress counter has not moved for a
     * while of real time, every kernel is idle and none of {@code busyIf} is running, until {@code until} ends or
     * {@code failed}; fails after 150 s of real time.
     */
    static void runVirtualTime(ManualClock clock, List<Kernel> kernels, Thread until,
                               java.util.function.BooleanSupplier failed,
                               java.util.function.LongSupplier progress, Thread... busyIf)
            throws InterruptedException {
        long realDeadline = System.nanoTime() + 150_000_000_000L;
        long last = -1;
        int quiet = 0;
        while (until.isAlive() && !failed.getAsBoolean()) {
            if (System.nanoTime() > realDeadline) {
                fail("transfer did not finish in 150 s of real time; virtual time " + clock.monotonicNanos() / 1e9 + " s\n"
                        + describe.get());
            }
            long p = progress.getAsLong();
            boolean busy = false;
            for (Thread t : busyIf) {
                busy |= t.getState() == Thread.State.RUNNABLE || t.getState() == Thread.State.NEW;
            }
            for (Kernel k : kernels) {
                busy |= !k.scheduler().idle();
            }
            if (p != last || busy) {
                last = p;
                quiet = 0;
                java.util.concurrent.locks.LockSupport.parkNanos(100_000);
                continue;
            }
            if (++quiet < 3) {
                java.util.concurrent.locks.LockSupport.parkNanos(50_000);
                continue;
            }
            // Everything due within a millisecond of the next timer fires together: frames the link
            // holds have deadlines of their own, and one step per frame would make a run crawl.
            long next = clock.nextDeadline();
            long now = clock.monotonicNanos();
            long step = next == Long.MAX_VALUE ? 10_000_000L : Math.max(0, next - now) + 1_000_000L;
            clock.advance(step);
            quiet = 0;
        }
    }
}
