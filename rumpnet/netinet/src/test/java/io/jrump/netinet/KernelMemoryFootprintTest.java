package io.jrump.netinet;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.kern.file.FileOps;
import io.jrump.kern.file.KFile;
import io.jrump.kern.file.SelInfo;
import io.jrump.kern.sched.Proc;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The sizes kernel objects are charged to the memory limit ({@code Socket.KMEM_BYTES},
 * {@code InPcb.KMEM_BYTES}, {@code TcpCb.KMEM_BYTES}, {@code KFile.KMEM_BYTES}, {@code Proc.KMEM_BYTES},
 * {@code Lwp.KMEM_BYTES}) are what they cost the host: for each kind, {@value #N} objects are made and
 * the heap's growth after a full collection is divided among them. The charge must be within a factor
 * of 1.5 of that measure either way; the measure is printed, so that the constants can be set from it
 * when the objects change. No time is measured.
 */
class KernelMemoryFootprintTest {
    private static final int N = 20_000;

    @Test
    void chargesMatchWhatObjectsCostTheHeap() throws Exception {
        Kernel k = Kernel.boot(KernelConfig.builder().ncpu(1).maxFilesPerProc(4 * N).component("rumpnet_netinet")
                .build());
        try {
            Syscalls s = k.syscalls();
            warmUp(s);
            List<String> bad = new ArrayList<>();
            check(bad, "UDP socket with pcb and descriptor", k, () -> sockets(s, SocketDefs.SOCK_DGRAM));
            check(bad, "TCP socket with pcb and descriptor", k, () -> sockets(s, SocketDefs.SOCK_STREAM));
            check(bad, "open file", k, () -> files(k));
            List<Proc> procs = new ArrayList<>();
            check(bad, "process", k, () -> procs.addAll(processes(k)));
            check(bad, "lwp", k, () -> {
                for (Proc p : procs) {
                    p.syscalls().getpid();
                }
            });
            for (Proc p : procs) {
                k.exitProcess(p);
            }
            assertTrue(bad.isEmpty(), "charges far from what the objects cost:\n" + String.join("\n", bad));
        } finally {
            k.halt();
        }
    }

    private interface Maker {
        void make() throws ErrnoException;
    }

    /** Makes {@value #N} objects and compares the heap they took with what kernel memory was charged. */
    private static void check(List<String> bad, String what, Kernel k, Maker m) throws ErrnoException {
        long heap0 = heapUsed();
        long charged0 = k.kmem().used();
        m.make();
        long measured = (heapUsed() - heap0) / N;
        long charged = (k.kmem().used() - charged0) / N;
        String line = what + ": charged " + charged + " bytes, measured " + measured;
        System.out.println(line);
        if (charged * 3 < measured * 2 || charged * 2 > measured * 3) {
            bad.add(line);
        }
    }

    /** Makes {@value #N} sockets of {@code type}, left open for the halt to close. */
    private static void sockets(Syscalls s, int type) throws ErrnoException {
        for (int i = 0; i < N; i++) {
            s.socket(SocketDefs.AF_INET, type, 0);
        }
    }

    private static void files(Kernel k) throws ErrnoException {
        for (int i = 0; i < N; i++) {
            k.proc1().files().install(KFile.alloc(k, NOFILE, null, 0));
        }
    }

    private static List<Proc> processes(Kernel k) throws ErrnoException {
        List<Proc> l = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            l.add(k.createProcess("p" + (i % 10), Cred.ROOT));
        }
        return l;
    }

    /** Classes loaded and caches filled, so that the measures see only the objects. */
    private static void warmUp(Syscalls s) throws ErrnoException {
        for (int i = 0; i < 100; i++) {
            s.close(s.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0));
            s.close(s.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0));
        }
    }

    private static long heapUsed() {
        Runtime r = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            used = Math.min(used, r.totalMemory() - r.freeMemory());
        }
        return used;
    }

    private static final FileOps NOFILE = new FileOps() {
        @Override
        public int read(KFile fp, ByteBuffer dst) {
            return 0;
        }

        @Override
        public int write(KFile fp, ByteBuffer src) {
            return 0;
        }

        @Override
        public int poll(KFile fp, int events, SelInfo.Waiter w) {
            return 0;
        }

        @Override
        public void close(KFile fp) {
        }
    };
}
