package io.jrump.systest;

import static org.junit.jupiter.api.Assertions.*;

import io.jrump.hypercall.Errno;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.HaltReport;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.kern.sched.Proc;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * A kernel under {@code rump_server -r 16m} whose memory was filled to the limit recovers fully once
 * the pressure ends: memory that pools keep idle after the burst goes back to the budget when another
 * kind of object needs it (NetBSD's pool drain under pressure), so a TCP transfer works afterwards.
 */
class MemoryPressureTest {
    private static final long LIMIT = 16L << 20;

    @Test
    void aTransferWorksAfterUdpDatagramsFilledTheLimitAndTheirSocketsClosed() throws Exception {
        Kernel k = Kernel.boot(KernelConfig.builder().ncpu(1).memoryLimit(LIMIT).component("rumpnet_netinet").build());
        HaltReport report;
        try {
            int sent = fillWithUnreadDatagrams(k);
            assertTrue(sent > 1000, "datagrams queued before ENOBUFS: " + sent);
            assertTrue(k.kmem().used() > LIMIT * 3 / 4, "memory was filled: " + k.kmem().used());
            byte[] data = new byte[5_000_000];
            new Random(7).nextBytes(data);
            assertArrayEquals(data, transferOverLoopback(k.syscalls(), data, 9400),
                    "5 MB over TCP after the pressure ended");
        } finally {
            report = k.halt();
        }
        assertTrue(report.clean(), report.toString());
    }

    /**
     * Binds UDP sockets in several processes (each below its descriptor limit), each sending 1-byte
     * datagrams to itself until the kernel refuses with ENOBUFS, then closes every socket. Returns the
     * datagrams sent.
     */
    private static int fillWithUnreadDatagrams(Kernel k) throws ErrnoException {
        ByteBuffer one = ByteBuffer.allocate(1);
        int sent = 0;
        boolean full = false;
        List<Proc> procs = new ArrayList<>();
        List<int[]> open = new ArrayList<>();
        while (!full && procs.size() < 64) {
            Proc p = k.newProcess("filler" + procs.size(), Cred.ROOT);
            procs.add(p);
            Syscalls s = p.syscalls();
            List<Integer> fds = new ArrayList<>();
            for (int i = 0; i < 500 && !full; i++) {
                int fd;
                try {
                    fd = s.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
                } catch (ErrnoException e) {
                    full = true;
                    break;
                }
                fds.add(fd);
                s.bind(fd, SockAddr.in("127.0.0.1", 0));
                SockAddr me = SockAddr.in(0, 0);
                s.getsockname(fd, me);
                s.setsockopt(fd, SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVBUF, 256 << 10);
                for (int d = 0; d < 5000; d++) {
                    one.clear();
                    try {
                        s.sendto(fd, one, SocketDefs.MSG_DONTWAIT, me);
                        sent++;
                    } catch (ErrnoException e) {
                        if (e.errno() == Errno.ENOBUFS && d == 0) {
                            full = true;
                        }
                        break;
                    }
                }
            }
            open.add(fds.stream().mapToInt(Integer::intValue).toArray());
        }
        assertTrue(full, "the kernel never ran out of memory");
        for (int i = 0; i < procs.size(); i++) {
            Syscalls s = procs.get(i).syscalls();
            for (int fd : open.get(i)) {
                s.close(fd);
            }
        }
        return sent;
    }

    private static byte[] transferOverLoopback(Syscalls s, byte[] data, int port) throws Exception {
        int l = s.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
        s.bind(l, SockAddr.in("127.0.0.1", port));
        s.listen(l, 1);
        ExecutorService ex = Executors.newSingleThreadExecutor();
        try {
            Future<byte[]> got = ex.submit(() -> {
                int c = s.accept(l, null);
                ByteBuffer in = ByteBuffer.allocate(data.length + 1);
                while (s.recvfrom(c, in, 0, null) > 0) {
                    if (!in.hasRemaining()) {
                        break;
                    }
                }
                s.close(c);
                return Arrays.copyOf(in.array(), in.position());
            });
            int c = s.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
            s.connect(c, SockAddr.in("127.0.0.1", port));
            ByteBuffer out = ByteBuffer.wrap(data);
            while (out.hasRemaining()) {
                s.sendto(c, out, 0, null);
            }
            s.shutdown(c, SocketDefs.SHUT_WR);
            byte[] r = got.get();
            s.close(c);
            s.close(l);
            return r;
        } finally {
            ex.shutdownNow();
        }
    }
}
