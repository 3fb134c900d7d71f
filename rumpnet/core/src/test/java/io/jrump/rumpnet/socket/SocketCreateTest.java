package io.jrump.rumpnet.socket;

import static io.jrump.hypercall.Errno.*;
import static io.jrump.rumpnet.socket.Sk.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.kern.file.FileOps;
import io.jrump.kern.file.KFile;
import io.jrump.kern.Kernel;
import io.jrump.kern.file.SelInfo;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.SyscallNumbers;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.rumpnet.mbuf.MbufPool;
import io.jrump.testkit.RumpKernel;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

@RumpKernel(components = "rumpnet")
class SocketCreateTest {

    @Test
    void aKernelWithOnlyRumpnetHasNoAddressFamily(Kernel k) throws Exception {
        Syscalls s = k.syscalls();
        assertErrno(EAFNOSUPPORT, () -> s.socket(SocketDefs.AF_INET, DGRAM, 0));
        assertErrno(EAFNOSUPPORT, () -> s.socket(SocketDefs.AF_INET, STREAM, SocketDefs.IPPROTO_TCP));
        assertErrno(EAFNOSUPPORT, () -> s.socket(AF, DGRAM, 0));
        assertNotNull(k.service(MbufPool.class));
        assertNotNull(k.service(Domains.class));
        assertNotNull(k.service(Sockets.class));
        assertEquals("262144", s.sysctlRead("kern.sbmax"));
        assertEquals("128", s.sysctlRead("kern.somaxconn"));
        for (int n : List.of(SyscallNumbers.SYS___socket30, SyscallNumbers.SYS_bind, SyscallNumbers.SYS_connect,
                SyscallNumbers.SYS_listen, SyscallNumbers.SYS_accept, SyscallNumbers.SYS_sendto,
                SyscallNumbers.SYS_recvfrom, SyscallNumbers.SYS_sendmsg, SyscallNumbers.SYS_recvmsg,
                SyscallNumbers.SYS_shutdown, SyscallNumbers.SYS_setsockopt, SyscallNumbers.SYS_getsockopt,
                SyscallNumbers.SYS_getsockname, SyscallNumbers.SYS_getpeername)) {
            assertEquals("rumpnet", k.syscallTable().entry(n).component(), "syscall " + n);
        }
        assertTrue(s.modstat().stream().anyMatch(m -> m.toString().contains("rumpnet")), s.modstat().toString());
    }

    @Test
    void protocolLookupAnswersAsSocreate(Kernel k) throws Exception {
        LoopDomain.install(k);
        Syscalls s = k.syscalls();
        Sockets sockets = k.service(Sockets.class);
        int fd = s.socket(AF, DGRAM, 0);
        assertEquals(1, sockets.count());
        assertEquals(DGRAM, s.getsockopt(fd, SocketDefs.SOL_SOCKET, SocketDefs.SO_TYPE));
        s.close(fd);
        assertErrno(EPROTONOSUPPORT, () -> s.socket(AF, DGRAM, 99));
        assertErrno(EPROTOTYPE, () -> s.socket(AF, SocketDefs.SOCK_RAW, 0));
        assertErrno(EPROTOTYPE, () -> s.socket(AF, DGRAM, LoopDomain.STREAM_PROTO));
        assertEquals(0, sockets.count());
    }

    @Test
    void aFamilyIsRegisteredOnce(Kernel k) {
        LoopDomain.install(k);
        Domains d = k.service(Domains.class);
        assertThrows(IllegalStateException.class, () -> d.register(d.find(AF)));
        assertEquals(1, d.list().size());
        d.unregister(AF);
        assertErrno(EAFNOSUPPORT, () -> k.syscalls().socket(AF, DGRAM, 0));
    }

    @Test
    void aDescriptorThatIsNotASocketIsEnotsock(Kernel k) throws Exception {
        LoopDomain.install(k);
        Syscalls s = k.syscalls();
        int fd = k.proc1().files().install(KFile.alloc(k, new FileOps() {
            @Override
            public int read(KFile fp, ByteBuffer dst) {
                return 0;
            }

            @Override
            public int write(KFile fp, ByteBuffer src) {
                return src.remaining();
            }

            @Override
            public int poll(KFile fp, int events, SelInfo.Waiter w) {
                return events;
            }

            @Override
            public void close(KFile fp) {
            }
        }, null, 0));
        SockAddr a = port(1);
        ByteBuffer b = ByteBuffer.allocate(4);
        assertErrno(ENOTSOCK, () -> s.bind(fd, a));
        assertErrno(ENOTSOCK, () -> s.connect(fd, a));
        assertErrno(ENOTSOCK, () -> s.listen(fd, 1));
        assertErrno(ENOTSOCK, () -> s.accept(fd, null));
        assertErrno(ENOTSOCK, () -> s.sendto(fd, b, 0, a));
        assertErrno(ENOTSOCK, () -> s.recvfrom(fd, b, 0, null));
        assertErrno(ENOTSOCK, () -> s.shutdown(fd, SocketDefs.SHUT_RDWR));
        assertErrno(ENOTSOCK, () -> s.setsockopt(fd, SocketDefs.SOL_SOCKET, SocketDefs.SO_REUSEADDR, 1));
        assertErrno(ENOTSOCK, () -> s.getsockopt(fd, SocketDefs.SOL_SOCKET, SocketDefs.SO_TYPE));
        assertErrno(ENOTSOCK, () -> s.getsockname(fd, new SockAddr()));
        assertErrno(EBADF, () -> s.bind(77, a));
        assertErrno(EBADF, () -> s.recvfrom(77, b, 0, null));
        s.close(fd);
    }

    @Test
    void nonBlockingModeComesFromSockNonblockFionbioOrMsgDontwait(Kernel k) throws Exception {
        LoopDomain.install(k);
        Syscalls s = k.syscalls();
        int nb = s.socket(AF, DGRAM | SocketDefs.SOCK_NONBLOCK | SocketDefs.SOCK_CLOEXEC, 0);
        assertEquals(KFile.O_NONBLOCK, s.fcntl(nb, Syscalls.F_GETFL, 0) & KFile.O_NONBLOCK);
        s.bind(nb, port(10));
        ByteBuffer b = ByteBuffer.allocate(16);
        assertErrno(EAGAIN, () -> s.recvfrom(nb, b, 0, null));
        assertErrno(EAGAIN, () -> s.read(nb, b));

        int fd = dgram(s, 11);
        assertEquals(0, s.fcntl(fd, Syscalls.F_GETFL, 0) & KFile.O_NONBLOCK);
        assertErrno(EAGAIN, () -> s.recvfrom(fd, b, SocketDefs.MSG_DONTWAIT, null));
        s.ioctl(fd, SocketDefs.FIONBIO, new int[] {1});
        assertErrno(EAGAIN, () -> s.recvfrom(fd, b, 0, null));
        s.close(nb);
        s.close(fd);
    }

    @Test
    void socketsListsEveryLiveSocket(Kernel k) throws Exception {
        LoopDomain.install(k);
        Syscalls s = k.syscalls();
        Sockets sockets = k.service(Sockets.class);
        int a = s.socket(AF, DGRAM, 0);
        int b = s.socket(AF, STREAM, 0);
        List<Socket> l = sockets.list();
        assertEquals(2, l.size());
        assertEquals(DGRAM, l.get(0).type());
        assertEquals(STREAM, l.get(1).type());
        assertEquals(1, l.get(0).pid());
        assertTrue(l.get(0).id() < l.get(1).id());
        assertEquals("loop", l.get(1).domain().name());
        s.close(a);
        s.close(b);
        assertEquals(0, sockets.count());
    }

    @Test
    void detachingTheComponentRemovesTheSyscalls(Kernel k) throws Exception {
        LoopDomain.install(k);
        Syscalls s = k.syscalls();
        int fd = dgram(s, 5);
        s.sendto(fd, bytes("left behind"), 0, port(5));
        k.softints().drain();
        Socket so = socketOf(k, fd);
        new RumpnetComponent().detach(k);
        assertTrue(so.isFreed());
        assertErrno(ENOSYS, () -> s.socket(AF, DGRAM, 0));
        assertEquals(0, k.service(MbufPool.class) == null ? 0 : 1);
    }

    @Test
    void interfaceIoctlsGoToTheRegisteredHook(Kernel k) throws Exception {
        LoopDomain.install(k);
        Syscalls s = k.syscalls();
        long siocgifflags = 0xc0206911L;
        java.util.concurrent.atomic.AtomicReference<Object> seen = new java.util.concurrent.atomic.AtomicReference<>();
        k.registerService(IfIoctlHook.class, new IfIoctlHook() {
            @Override
            public boolean handles(long cmd) {
                return cmd == siocgifflags;
            }

            @Override
            public void ioctl(long cmd, Object arg, io.jrump.kern.Cred cred) {
                seen.set(arg + " uid " + cred.uid());
            }
        });
        int fd = s.socket(AF, DGRAM, 0);
        assertEquals(0, s.ioctl(fd, siocgifflags, "lo0"));
        assertEquals("lo0 uid 0", seen.get());
        assertErrno(EOPNOTSUPP, () -> s.ioctl(fd, 0xc0206912L, "lo0"));
        s.close(fd);
        k.unregisterService(IfIoctlHook.class);
    }
}
