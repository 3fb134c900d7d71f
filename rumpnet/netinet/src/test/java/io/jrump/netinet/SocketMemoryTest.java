package io.jrump.netinet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.HaltReport;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.kern.file.KFile;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.netinet.pcb.InPcb;
import io.jrump.rumpnet.socket.Socket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Sockets and their pcbs are kernel memory ({@code rump_server -r}): a kernel makes sockets until its
 * limit is reached, then refuses with ENOBUFS (or ENFILE when only the descriptor's open file no
 * longer fits), never with {@link OutOfMemoryError}; {@code hw.usermem64} and {@code netstat -m} count
 * them, closing some makes room for as many new ones, and a halt finds nothing charged.
 */
class SocketMemoryTest {
    private static final long LIMIT = 2L << 20;
    /** A UDP socket with its pcb and descriptor, as charged. */
    private static final long UDP_SOCKET = Socket.KMEM_BYTES + InPcb.KMEM_BYTES + KFile.KMEM_BYTES;

    @Test
    void udpSocketsUntilEnobufsThenClosingSomeMakesRoom() throws Exception {
        Kernel k = Kernel.boot(KernelConfig.builder().ncpu(1).memoryLimit(LIMIT).maxFilesPerProc(100_000)
                .component("rumpnet_netinet").build());
        Syscalls s = k.syscalls();
        long base = usermem(s);
        List<Integer> fds = fill(s, SocketDefs.SOCK_DGRAM);
        long held = usermem(s) - base;
        assertTrue(fds.size() * UDP_SOCKET <= LIMIT - base && fds.size() * UDP_SOCKET > (LIMIT - base) * 9 / 10,
                fds.size() + " UDP sockets of " + UDP_SOCKET + " bytes in " + (LIMIT - base) + " free bytes");
        assertTrue(held >= fds.size() * UDP_SOCKET, "hw.usermem64 shows the sockets: " + held + " bytes for "
                + fds.size());
        long reported = reportedKbytes(s.sysctlRead("kern.mbuf.stats"), Socket.KMEM_TYPE);
        assertTrue(reported >= fds.size() * Socket.KMEM_BYTES / 1024 - 1,
                "netstat -m shows the sockets' memory: " + reported + " KB for " + fds.size());
        for (int i = 0; i < 10; i++) {
            s.close(fds.remove(fds.size() - 1));
        }
        for (int i = 0; i < 10; i++) {
            fds.add(s.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0));
        }
        for (int fd : fds) {
            s.close(fd);
        }
        assertTrue(usermem(s) - base < 64 * 1024, "closing every socket gives their memory back: "
                + (usermem(s) - base) + " bytes still held");
        HaltReport r = k.halt();
        assertTrue(r.clean(), r.toString());
    }

    @Test
    void tcpSocketsUntilEnobufsHaltClean() throws Exception {
        Kernel k = Kernel.boot(KernelConfig.builder().ncpu(1).memoryLimit(LIMIT).maxFilesPerProc(100_000)
                .component("rumpnet_netinet").build());
        Syscalls s = k.syscalls();
        long base = usermem(s);
        List<Integer> fds = fill(s, SocketDefs.SOCK_STREAM);
        long tcpSocket = (usermem(s) - base) / fds.size();
        assertTrue(tcpSocket > UDP_SOCKET, "a TCP socket holds its control block too: " + tcpSocket + " bytes");
        s.close(fds.remove(0));
        s.close(fds.remove(0));
        fds.add(s.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0));
        HaltReport r = k.halt();
        assertTrue(r.clean(), "sockets left open are freed at halt: " + r);
    }

    /** Makes sockets of {@code type} until the kernel refuses; returns their descriptors. */
    private static List<Integer> fill(Syscalls s, int type) {
        List<Integer> fds = new ArrayList<>();
        for (;;) {
            try {
                fds.add(s.socket(SocketDefs.AF_INET, type, 0));
            } catch (ErrnoException e) {
                assertTrue(e.errno() == Errno.ENOBUFS || e.errno() == Errno.ENFILE, "socket past the limit: " + e);
                return fds;
            }
            if (fds.size() > LIMIT / 64) {
                fail("sockets are not charged: " + fds.size() + " made under a " + LIMIT + " byte limit");
            }
        }
    }

    /** The Kbytes in use that a report ({@code netstat -m}, {@code kern.kmem.stats}) gives for {@code type}. */
    private static long reportedKbytes(String report, String type) {
        for (String line : report.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 1 && f[0].equals(type)) {
                return Long.parseLong(f[1]);
            }
        }
        throw new AssertionError("no " + type + " line in\n" + report);
    }

    private static long usermem(Syscalls s) throws ErrnoException {
        return Long.parseLong(s.sysctlRead("hw.usermem64").trim());
    }
}
