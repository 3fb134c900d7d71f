package io.jrump.systest;

import static io.jrump.systest.TcpStreamTest.tcp;
import static io.jrump.systest.TestNet.attach;
import static io.jrump.systest.TestNet.inet;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jrump.hypercall.ManualClock;
import io.jrump.kern.Cred;
import io.jrump.kern.Kernel;
import io.jrump.kern.sched.Proc;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.netinet.lrp.LrpStat;
import io.jrump.virtif.Hub;
import io.jrump.virtif.LinkEmulator;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Lazy Receiver Processing switched on and off under traffic (issue 18: "switchable at run time without
 * losing a packet"): 4 MB over a link that loses, duplicates and reorders frames from a fixed seed, while
 * both kernels flip {@code net.inet.lrp.enable} every 128 KB; the bytes must arrive exactly, and the
 * receiving process, whose socket was processed asynchronously while lazy, is charged that work.
 */
class LrpModeSwitchTest {
    static final int SIZE = 4 << 20;

    @Test
    void togglingUnderLossyTransferLosesNothing() throws Exception {
        ManualClock clock = new ManualClock();
        try (TestNet net = new TestNet(clock)) {
            Hub hub = new Hub("h");
            Kernel a = net.boot("a");
            Kernel b = net.boot("b");
            String emu = "loss=2%,dup=1%,reorder=5%,reorder-delay=3ms,delay=2ms,limit=2000";
            LinkEmulator ea = new LinkEmulator(a.hypercall(), hub.attach(), emu + ",seed=7");
            LinkEmulator eb = new LinkEmulator(b.hypercall(), hub.attach(), emu + ",seed=107");
            attach(a, "shmif0", ea, "198.18.0.1/24");
            attach(b, "shmif0", eb, "198.18.0.2/24");
            Proc idle = b.createProcess("idle", Cred.ROOT);
            Syscalls sa = a.syscalls();
            Syscalls sb = b.syscalls();
            int l = tcp(sb);
            sb.bind(l, SockAddr.in("0.0.0.0", 5001));
            sb.listen(l, 5);
            byte[] data = new byte[SIZE];
            new SplittableRandom(18).nextBytes(data);
            AtomicLong received = new AtomicLong();
            AtomicLong flips = new AtomicLong();
            AtomicReference<byte[]> digest = new AtomicReference<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread reader = new Thread(() -> {
                try {
                    int srv = sb.accept(l, null);
                    MessageDigest md = MessageDigest.getInstance("SHA-256");
                    ByteBuffer buf = ByteBuffer.allocate(65536);
                    long nextFlip = 0;
                    for (;;) {
                        buf.clear();
                        int n = sb.read(srv, buf);
                        if (n == 0) {
                            break;
                        }
                        md.update(buf.array(), 0, n);
                        long got = received.addAndGet(n);
                        if (got >= nextFlip) {
                            nextFlip = got + (128 << 10);
                            String mode = flips.incrementAndGet() % 2 == 1 ? "1" : "0";
                            a.sysctl().write("net.inet.lrp.enable", mode, Cred.ROOT);
                            b.sysctl().write("net.inet.lrp.enable", mode, Cred.ROOT);
                        }
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
            var ta = inet(a).tcp().stats();
            var tb = inet(b).tcp().stats();
            // Virtual time moves only when nothing is left to do now. A socket handed to asynchronous
            // processing is work to do even before the host has woken its thread, which then holds no CPU
            // yet, and so is a frame waiting in a socket's channel for a reader that has been woken to
            // process it but whose thread the host has not run yet (a thread woken from a wait still looks
            // WAITING until it runs): both count as progress while they last, so that a slow host wakeup
            // cannot let retransmission timers run out the connection while its ACKs wait to be processed.
            // Under load they did: the sender's twelve retransmit timeouts passed in a few milliseconds of
            // real time while the receiver's lazily queued segments waited for its reader.
            TcpLossyTransferTest.runVirtualTime(clock, List.of(a, b), reader, () -> failure.get() != null,
                    () -> ta.get("packets sent") + tb.get("packets sent") + received.get() + ta.get("packets received")
                            + tb.get("packets received") + inet(a).lrp().stats().get(LrpStat.IN_APP)
                            + inet(b).lrp().stats().get(LrpStat.IN_APP)
                            + (inet(a).lrp().idle() && inet(b).lrp().idle() && channelFrames(a) + channelFrames(b) == 0
                                    ? 0 : System.nanoTime()), reader, writer);
            writer.join(10_000);
            if (failure.get() != null) {
                fail("transfer failed after " + received.get() + " bytes at virtual " + clock.monotonicNanos() / 1e9
                        + " s, mode flipped " + flips.get() + " times\na: " + inet(a).tcp().describeConnections()
                        + inet(a).lrp().stats().snapshot() + "\n" + a.sysctl().read("net.inet.lrp.sockets")
                        + "\nb: " + inet(b).tcp().describeConnections() + inet(b).lrp().stats().snapshot() + "\n"
                        + b.sysctl().read("net.inet.lrp.sockets") + "\na tcp: " + ta.snapshot() + "\nb tcp: "
                        + tb.snapshot() + "\na shmif0: " + ifstats(a) + " emulator out " + ea.egressStats() + " in "
                        + ea.ingressStats() + " held " + ea.heldFrames() + "\nb shmif0: " + ifstats(b) + " emulator out "
                        + eb.egressStats() + " in "
                        + eb.ingressStats() + " held " + eb.heldFrames() + "\nnext timer in "
                        + (clock.nextDeadline() - clock.monotonicNanos()) + " ns\nreader: "
                        + java.util.Arrays.toString(reader.getStackTrace()) + "\nthreads: "
                        + threads(), failure.get());
            }
            assertEquals(SIZE, received.get());
            assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(data), digest.get());
            assertTrue(flips.get() >= 16, "the mode flipped " + flips.get() + " times");
            assertTrue(inet(b).lrp().stats().get(LrpStat.IN_APP) > 0, "lazy periods processed segments asynchronously");
            assertTrue(b.proc1().protoNanos() > 0, "the receiving process is charged its protocol processing");
            assertEquals(0, idle.protoNanos(), "a process without sockets is charged nothing");
            sb.close(l);
            clock.advance(130_000_000_000L);
        }
    }

    /**
     * Frames waiting in the kernel's socket channels now (the WAITING column of {@code net.inet.lrp.sockets}):
     * every one of them is for a TCP socket of this test, whose reader or asynchronous processing is due to
     * take it.
     */
    private static long channelFrames(Kernel k) {
        long n = 0;
        try {
            for (String line : k.sysctl().read("net.inet.lrp.sockets").split("\n")) {
                String[] f = line.trim().split(" ");
                if (f.length == 8) {
                    n += Long.parseLong(f[7]);
                }
            }
        } catch (io.jrump.kern.ErrnoException e) {
            throw new IllegalStateException(e);
        }
        return n;
    }

    /** Where the kernels' LRP processing and softint threads are, for a failure's report. */
    private static String threads() {
        StringBuilder sb = new StringBuilder();
        for (var e : Thread.getAllStackTraces().entrySet()) {
            if (e.getKey().getName().contains("lrp/app") || e.getKey().getName().contains("softint")) {
                sb.append(e.getKey().getName()).append(' ').append(e.getKey().getState()).append(' ')
                        .append(java.util.Arrays.toString(
                                java.util.Arrays.copyOf(e.getValue(), Math.min(8, e.getValue().length))))
                        .append('\n');
            }
        }
        return sb.toString();
    }

    private static Object ifstats(Kernel k) {
        return k.service(io.jrump.net.Interfaces.class).find("shmif0").stats();
    }
}
