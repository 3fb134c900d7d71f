package io.jrump.rumpclient;

import static org.junit.jupiter.api.Assertions.*;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.syscall.SyscallArgs;
import io.jrump.sysproxy.RumpServer;
import io.jrump.testkit.RumpKernel;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every {@link io.jrump.kern.syscall.Syscalls} method through the server, against the same program run in-process. */
class SyscallsRoundTripTest {
    @Test
    @RumpKernel(components = "rumpnet_netinet")
    void programRunsTheSameRemotelyAsLocally(Kernel k, @TempDir Path dir) throws Exception {
        List<String> local = new UdpProgram(k.syscalls(), k.syscalls()).run();
        try (RumpServer s = RumpServer.start(k, "unix://" + dir.resolve("sock"));
             RumpClient a = RumpClient.connect(s.url(), "progA");
             RumpClient b = RumpClient.connect(s.url(), "progB")) {
            List<String> remote = new UdpProgram(a, b).run();
            assertEquals(String.join("\n", local), String.join("\n", remote));
            assertNotEquals(a.getpid(), b.getpid());
            assertNotEquals(1, a.getpid());
            assertEquals(List.of(a.pid(), b.pid()), s.clientPids());
            assertEquals(0, a.getuid(), "same uid as the server: root inside");
        }
        assertTrue(local.contains("recvfrom 19 position 22 'hello over sysproxy' from b true 127.0.0.1"), local.toString());
        assertTrue(local.contains("lo0 up true loopback true"), local.toString());
        assertTrue(local.contains("syscall(499) ENOSYS"), local.toString());
    }

    @Test
    @RumpKernel(components = "rumpnet_netinet")
    void errnoAndTextComeBackAsTheKernelSaysThem(Kernel k, @TempDir Path dir) throws Exception {
        ErrnoException localE = assertThrows(ErrnoException.class, () -> k.syscalls().sysctlRead("kern.nonesuch"));
        try (RumpServer s = RumpServer.start(k, "unix://" + dir.resolve("sock"));
             RumpClient c = RumpClient.connect(s.url(), "errs")) {
            ErrnoException e = assertThrows(ErrnoException.class, () -> c.sysctlRead("kern.nonesuch"));
            assertEquals(localE.errno(), e.errno());
            assertEquals(localE.getMessage(), e.getMessage());
            ErrnoException nosys = assertThrows(ErrnoException.class, () -> c.syscall(499, new SyscallArgs()));
            assertEquals(Errno.ENOSYS, nosys.errno());
            assertEquals("ENOSYS: syscall 499 is not in this kernel", nosys.getMessage());
            ErrnoException bad = assertThrows(ErrnoException.class, () -> c.close(77));
            assertEquals(Errno.EBADF, bad.errno());
            ErrnoException noCodec = assertThrows(ErrnoException.class, () -> c.ioctl(0, 1, new Object()));
            assertEquals(Errno.EFAULT, noCodec.errno());
            assertEquals(c.pid(), c.getpid(), "the connection survives refused calls");
        }
    }

    @Test
    @RumpKernel(components = "rumpnet_netinet")
    void rebootHaltsTheKernelAndClosesTheServer(Kernel k, @TempDir Path dir) throws Exception {
        RumpServer s = RumpServer.start(k, "unix://" + dir.resolve("sock"));
        try (RumpClient c = RumpClient.connect(s.url(), "rump.halt")) {
            c.reboot(io.jrump.kern.syscall.Syscalls.RB_HALT);
            assertTrue(s.awaitClosed(10, TimeUnit.SECONDS), "server closed by the halt");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (c.isOpen() && System.nanoTime() < deadline) {
                try {
                    c.getpid();
                } catch (ErrnoException e) {
                    assertEquals(Errno.ENOTCONN, e.errno());
                }
            }
            assertFalse(c.isOpen());
        }
        assertFalse(dir.resolve("sock").toFile().exists(), "socket file removed");
        assertTrue(k.halting());
    }
}
