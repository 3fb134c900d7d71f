package io.jrump.systest.sockets;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.file.KFile;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.rumpnet.socket.Socket;
import java.nio.ByteBuffer;

/**
 * A kernel with one of the two interchangeable inet implementations, for the socket suite: "sockin"
 * (rumpnet_sockin, sockets on the host's loopback) or "netinet" (rumpnet_netinet, the kernel's own
 * stack on its lo0), or "netinet-lrp" (the same with Lazy Receiver Processing, {@code net.inet.lrp.enable=1}). Either way 127.0.0.1 is this kernel's loopback, so a test's client and server
 * are two sockets of one kernel. Closing halts the kernel and checks that it halted clean.
 */
final class InetKernel implements AutoCloseable {
    final String impl;
    final Kernel kernel;
    final Syscalls sys;

    InetKernel(String impl) throws Exception {
        this.impl = impl;
        String component = switch (impl) {
            case "sockin" -> "rumpnet_sockin";
            case "netinet", "netinet-lrp" -> "rumpnet_netinet";
            default -> throw new IllegalArgumentException(impl);
        };
        this.kernel = Kernel.boot(KernelConfig.builder().hostname(impl).ncpu(2).component(component).build());
        this.sys = kernel.syscalls();
        if (impl.equals("netinet-lrp")) {
            sys.sysctlWrite("net.inet.lrp.enable", "1");
        }
    }

    int tcp() throws ErrnoException {
        return sys.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
    }

    int udp() throws ErrnoException {
        return sys.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
    }

    /** A listening stream socket on 127.0.0.1 and an ephemeral port, returned in {@code at}. */
    int listener(SockAddr at) throws ErrnoException {
        int l = tcp();
        sys.bind(l, SockAddr.in("127.0.0.1", 0));
        sys.listen(l, 64);
        sys.getsockname(l, at);
        return l;
    }

    /** A port of 127.0.0.1 on which nothing listens: one the kernel handed out and took back. */
    int unusedPort() throws ErrnoException {
        int s = tcp();
        sys.bind(s, SockAddr.in("127.0.0.1", 0));
        SockAddr a = new SockAddr();
        sys.getsockname(s, a);
        sys.close(s);
        return a.port;
    }

    void setNonBlocking(int fd) throws ErrnoException {
        sys.fcntl(fd, Syscalls.F_SETFL, sys.fcntl(fd, Syscalls.F_GETFL, 0) | KFile.O_NONBLOCK);
    }

    void writeAll(int fd, byte[] b) throws ErrnoException {
        ByteBuffer buf = ByteBuffer.wrap(b);
        while (buf.hasRemaining()) {
            sys.write(fd, buf);
        }
    }

    /** Reads until {@code n} bytes or end of stream; returns what was read. */
    byte[] readFully(int fd, int n) throws ErrnoException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (sys.read(fd, b) == 0) {
                break;
            }
        }
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    Socket socketOf(int fd) throws ErrnoException {
        KFile fp = kernel.proc1().files().get(fd);
        try {
            return (Socket) fp.data();
        } finally {
            kernel.proc1().files().put(fp);
        }
    }

    static int errno(ThrowingRunnable r) {
        try {
            r.run();
        } catch (ErrnoException e) {
            return e.errno();
        } catch (Exception e) {
            throw new AssertionError("expected an errno, got " + e, e);
        }
        return 0;
    }

    static String name(int errno) {
        return Errno.name(errno);
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Override
    public void close() {
        var report = kernel.halt();
        assertTrue(report.clean(), report.toString());
    }

    @Override
    public String toString() {
        return impl;
    }
}
