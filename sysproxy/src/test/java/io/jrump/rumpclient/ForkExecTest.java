package io.jrump.rumpclient;

import static org.junit.jupiter.api.Assertions.*;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.sysproxy.Probe;
import io.jrump.sysproxy.RumpServer;
import io.jrump.testkit.RumpKernel;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fork} copies the descriptor table and shares the files; {@code exec} keeps pid and descriptors. */
class ForkExecTest {
    @Test
    @RumpKernel(components = "rumpnet_netinet")
    void forkSharesDescriptors(Kernel k, @TempDir Path dir) throws Exception {
        try (RumpServer s = RumpServer.start(k, "unix://" + dir.resolve("sock"));
             RumpClient parent = RumpClient.connect(s.url(), "forker");
             RumpClient sender = RumpClient.connect(s.url(), "sender")) {
            int fd = parent.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
            parent.bind(fd, SockAddr.in("127.0.0.1", 0));
            SockAddr addr = new SockAddr();
            parent.getsockname(fd, addr);
            try (RumpClient child = parent.fork()) {
                assertNotEquals(parent.pid(), child.pid());
                assertEquals(child.pid(), child.getpid());
                assertEquals(parent.pid(), child.getppid());
                assertEquals("forker", k.proc(child.pid()).name());
                assertEquals(k.proc(parent.pid()).cred(), k.proc(child.pid()).cred());

                SockAddr seen = new SockAddr();
                child.getsockname(fd, seen);
                assertEquals(addr, seen, "the same descriptor number names the same socket");
                int sfd = sender.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
                sender.sendto(sfd, ByteBuffer.wrap(new byte[] {7, 8, 9}), 0, addr);
                ByteBuffer in = ByteBuffer.allocate(8);
                assertEquals(3, child.recvfrom(fd, in, 0, null), "the child reads the parent's socket");

                int own = child.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
                ErrnoException e = assertThrows(ErrnoException.class, () -> parent.getsockname(own, new SockAddr()));
                assertEquals(Errno.EBADF, e.errno(), "separate tables after the fork");
                child.close(fd);
                parent.getsockname(fd, seen);
                assertEquals(addr, seen, "closing the child's copy leaves the parent's");
                assertEquals(List.of(parent.pid(), sender.pid(), child.pid()), s.clientPids());
            }
            awaitGone(k, s, 3);
            assertEquals(2, s.connectionCount());
        }
    }

    @Test
    @RumpKernel(components = "rumpnet_netinet")
    void execKeepsPidAndDescriptors(Kernel k, @TempDir Path dir) throws Exception {
        try (RumpServer s = RumpServer.start(k, "unix://" + dir.resolve("sock"));
             RumpClient c = RumpClient.connect(s.url(), "sh")) {
            int pid = c.pid();
            int fd = c.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
            c.bind(fd, SockAddr.in("127.0.0.1", 0));
            SockAddr before = new SockAddr();
            c.getsockname(fd, before);
            c.exec("rump.nc");
            assertEquals("rump.nc", c.progname());
            assertEquals("rump.nc", s.clients().get(0).progname());
            assertEquals(pid, s.clients().get(0).pid());
            assertEquals(pid, c.getpid());
            SockAddr after = new SockAddr();
            c.getsockname(fd, after);
            assertEquals(before, after);
            assertEquals(1, k.proc(pid).files().openCount());
        }
    }

    /** As {@code execve}: the descriptors marked close-on-exec are gone after exec, the others stay. */
    @Test
    @RumpKernel(components = "rumpvfs")
    void execClosesTheCloseOnExecDescriptors(Kernel k, @TempDir Path dir) throws Exception {
        try (RumpServer s = RumpServer.start(k, "unix://" + dir.resolve("sock"));
             RumpClient c = RumpClient.connect(s.url(), "sh")) {
            int keep = c.open("/tmp/keep", io.jrump.kern.vfs.Fcntl.O_RDWR | io.jrump.kern.vfs.Fcntl.O_CREAT, 0644);
            int gone = c.open("/tmp/gone", io.jrump.kern.vfs.Fcntl.O_RDWR | io.jrump.kern.vfs.Fcntl.O_CREAT
                    | io.jrump.kern.vfs.Fcntl.O_CLOEXEC, 0644);
            int marked = c.dup(keep);
            c.fcntl(marked, io.jrump.kern.syscall.Syscalls.F_SETFD, io.jrump.kern.syscall.Syscalls.FD_CLOEXEC);
            c.exec("rump.cat");
            assertTrue(c.fstat(keep).isReg());
            assertEquals(io.jrump.hypercall.Errno.EBADF, assertThrows(io.jrump.kern.ErrnoException.class,
                    () -> c.fstat(gone)).errno());
            assertEquals(io.jrump.hypercall.Errno.EBADF, assertThrows(io.jrump.kern.ErrnoException.class,
                    () -> c.fstat(marked)).errno());
            assertEquals(1, k.proc(c.pid()).files().openCount());
        }
    }

    static void awaitGone(Kernel k, RumpServer s, int connections) {
        Probe.await(() -> s.connectionCount() < connections, "fewer than " + connections + " connections");
    }
}
