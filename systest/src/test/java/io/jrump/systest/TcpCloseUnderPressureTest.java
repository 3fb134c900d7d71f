package io.jrump.systest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.hypercall.Errno;
import io.jrump.hypercall.HostHypercall;
import io.jrump.hypercall.ManualClock;
import io.jrump.hypercall.SeededRandom;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.HaltReport;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.kern.intr.Softint;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.netinet.Inet;
import io.jrump.netinet.tcp.Tcp;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufPool;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Connections closed while the kernel is out of memory still finish closing once memory returns
 * (RFC 9293 section 3.10.4: a CLOSE queues a FIN that is sent when it can be; section 3.8.1: what
 * could not be sent is retried from the retransmission timer). Forty connections over loopback whose
 * receivers never read fill a 16 MB kernel ({@code rump_server -r 16m}) until sends fail with
 * ENOBUFS; every sender is closed, then every receiver, while no mbuf is left to build the FINs and
 * RSTs those closes send. Once memory returns, each connection must reach CLOSED or TIME_WAIT; none
 * may stay in FIN_WAIT_1 with nothing left to retry it.
 *
 * <p>Time is a {@link ManualClock}: the kernel's timers fire as the test moves it, so the test waits
 * for no host time and checks states, not durations.
 */
class TcpCloseUnderPressureTest {
    private static final long LIMIT = 16L << 20;
    private static final int CONNECTIONS = 40;
    private static final int PORT = 9400;
    private static final long SEC = 1_000_000_000L;
    /** States a closed connection may be in once it has done all it must. */
    private static final Set<String> SETTLED = Set.of("LISTEN", "TIME_WAIT");

    @Test
    void everyConnectionClosedUnderEnobufsFinishesClosingOnceMemoryReturns() throws Exception {
        ManualClock clock = new ManualClock();
        HostHypercall hc = HostHypercall.builder().environment(Map.of()).clock(clock).random(new SeededRandom(15))
                .build();
        Kernel k = Kernel.boot(KernelConfig.builder().ncpu(1).memoryLimit(LIMIT).hypercall(hc)
                .component("rumpnet_netinet").build());
        HaltReport report;
        try {
            Syscalls s = k.syscalls();
            Tcp tcp = k.service(Inet.class).tcp();
            MbufHog hog = new MbufHog(k);
            int l = s.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM | SocketDefs.SOCK_NONBLOCK, 0);
            s.bind(l, SockAddr.in("127.0.0.1", PORT));
            s.listen(l, CONNECTIONS);
            List<Integer> senders = new ArrayList<>();
            List<Integer> receivers = new ArrayList<>();
            int refused = 0;
            for (int i = 0; i < CONNECTIONS; i++) {
                int c = s.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM | SocketDefs.SOCK_NONBLOCK, 0);
                try {
                    s.connect(c, SockAddr.in("127.0.0.1", PORT));
                } catch (ErrnoException e) {
                    assertEquals(Errno.EINPROGRESS, e.errno(), "connect: " + e);
                }
                settle(k);
                senders.add(c);
                receivers.add(s.accept(l, null));
            }
            for (int c : senders) {
                if (fillUntilRefused(k, s, c) == Errno.ENOBUFS) {
                    refused++;
                }
            }
            assertTrue(refused > 0, "no send failed with ENOBUFS: the limit was never reached");
            hog.takeAll();
            for (int c : senders) {
                s.close(c);
            }
            settle(k);
            for (int r : receivers) {
                s.close(r);
                // a receiver's close frees what it held: the pressure goes on
                hog.takeAll();
            }
            assertTrue(!settled(tcp), "nothing was left to finish: " + tcp.connectionStates());
            hog.release();
            for (int t = 0; t < 3600 && !settled(tcp); t++) {
                clock.advance(SEC);
                settle(k);
            }
            assertTrue(settled(tcp), "connections closed under ENOBUFS never finished closing once memory "
                    + "returned: " + tcp.connectionStates() + "\n" + tcp.describeConnections());
            s.close(l);
        } finally {
            report = k.halt();
        }
        assertTrue(report.clean(), report.toString());
    }

    /**
     * Holds every small mbuf the kernel can still make, as a driver or another protocol under load
     * would. It runs as a softint on the kernel's CPU, so it empties that CPU's pool cache as well as
     * the shared depot and what is left of the memory limit; while it holds them no TCP segment can be
     * built. {@link #release} gives them back.
     */
    private static final class MbufHog {
        private final Kernel k;
        private final List<Mbuf> held = new ArrayList<>();
        private final Softint take;
        private final Softint give;

        MbufHog(Kernel k) {
            this.k = k;
            MbufPool pool = k.service(Inet.class).mbufs();
            this.take = k.softints().establish("test mbuf hog", Softint.NET, () -> {
                for (Mbuf m = pool.get(); m != null; m = pool.get()) {
                    held.add(m);
                }
            });
            this.give = k.softints().establish("test mbuf hog release", Softint.NET, () -> {
                held.forEach(pool::free);
                held.clear();
            });
        }

        /** Takes whatever has come free since the last call. */
        void takeAll() {
            k.softints().schedule(take);
            settle(k);
        }

        void release() {
            k.softints().schedule(give);
            settle(k);
            k.softints().disestablish(take);
            k.softints().disestablish(give);
        }
    }

    /**
     * Sends on {@code fd} until the kernel refuses: ENOBUFS, or EAGAIN that persists after loopback
     * delivered what was sent (the receiver's window is full). Returns the errno that stopped it.
     */
    private static int fillUntilRefused(Kernel k, Syscalls s, int fd) {
        ByteBuffer d = ByteBuffer.allocate(65536);
        boolean progress = true;
        for (;;) {
            d.clear();
            try {
                s.sendto(fd, d, SocketDefs.MSG_DONTWAIT, null);
                progress = true;
            } catch (ErrnoException e) {
                assertTrue(e.errno() == Errno.ENOBUFS || e.errno() == Errno.EAGAIN, "send: " + e);
                if (e.errno() == Errno.ENOBUFS || !progress) {
                    return e.errno();
                }
                progress = false;
                settle(k);
            }
        }
    }

    private static boolean settled(Tcp tcp) {
        return SETTLED.containsAll(tcp.connectionStates().keySet());
    }

    private static void settle(Kernel k) {
        k.softints().drain();
    }
}
