package io.jrump.systest;

import static io.jrump.systest.TestNet.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jrump.hypercall.Errno;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.net.IfIoctl;
import io.jrump.net.IfReq;
import io.jrump.net.Ifnet;
import io.jrump.wire.Ipv4Address;
import io.jrump.virtif.Hub;
import org.junit.jupiter.api.Test;

/** Interface configuration through ioctls on a socket, as ifconfig does it, and DART's if_sockbuf. */
class AddressTest {

    private static IfReq req(String name, String addr, String mask) {
        IfReq r = new IfReq(name);
        r.addr = Ipv4Address.parse(addr);
        r.netmask = mask == null ? 0 : Ipv4Address.parse(mask);
        return r;
    }

    @Test
    void addressesComeAndGoWithTheirRoutesThroughSocketIoctls() throws Exception {
        try (TestNet net = new TestNet()) {
            Hub hub = new Hub("h");
            Kernel a = net.boot("a");
            Kernel b = net.boot("b");
            io.jrump.virtif.EtherIfs.attach(a, "shmif0", hub.attach(), 1500);
            attach(b, "shmif0", hub.attach(), "198.18.0.2/24");
            Syscalls sa = a.syscalls();
            int s = sa.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
            sa.ioctl(s, IfIoctl.SIOCAIFADDR, req("shmif0", "198.18.0.1", "255.255.255.0"));
            IfReq f = new IfReq("shmif0");
            sa.ioctl(s, IfIoctl.SIOCGIFFLAGS, f);
            assertEquals(0, f.flags & Ifnet.IFF_UP);
            f.flags |= Ifnet.IFF_UP;
            sa.ioctl(s, IfIoctl.SIOCSIFFLAGS, f);
            assertTrue(inet(a).routes().routes().stream().anyMatch(r -> r.prefixLen() == 24 && r.ifp().name().equals("shmif0")));
            sendEcho(a, "198.18.0.2", 8, 1);
            await("echo reply", () -> echoRepliesReceived(a) == 1);

            ErrnoException e = assertThrows(ErrnoException.class,
                    () -> sa.ioctl(s, IfIoctl.SIOCAIFADDR, req("shmif0", "198.18.0.1", "255.0.255.0")));
            assertEquals(Errno.EINVAL, e.errno(), "a non-contiguous netmask");
            assertEquals(Errno.ENXIO, assertThrows(ErrnoException.class,
                    () -> sa.ioctl(s, IfIoctl.SIOCAIFADDR, req("shmif9", "198.18.0.1", null))).errno());

            sa.ioctl(s, IfIoctl.SIOCDIFADDR, req("shmif0", "198.18.0.1", null));
            assertFalse(inet(a).routes().routes().stream().anyMatch(r -> r.ifp().name().equals("shmif0")));
            assertEquals(Errno.EHOSTUNREACH, assertThrows(ErrnoException.class,
                    () -> sendEcho(a, "198.18.0.2", 8, 2)).errno());
            assertEquals(Errno.EADDRNOTAVAIL, assertThrows(ErrnoException.class,
                    () -> sa.ioctl(s, IfIoctl.SIOCDIFADDR, req("shmif0", "198.18.0.1", null))).errno());

            var user = a.newProcess("user", new Cred(1000, 1000, new int[0]));
            int us = user.syscalls().socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
            assertEquals(Errno.EPERM, assertThrows(ErrnoException.class,
                    () -> user.syscalls().ioctl(us, IfIoctl.SIOCAIFADDR, req("shmif0", "198.18.0.1", null))).errno());
            sa.close(s);
        }
    }

    @Test
    void interfaceSockbufHookRaisesBuffersOfSocketsBoundToIt() throws Exception {
        try (TestNet net = new TestNet()) {
            Kernel a = net.boot("a");
            Ifnet ifp = attach(a, "shmif0", new Hub("h").attach(), "198.18.0.1/24");
            ifp.setSockbufHook((snd, rcv) -> new int[] {Math.max(snd, 128 * 1024), Math.max(rcv, 200 * 1024)});
            Syscalls s = a.syscalls();
            int fd = s.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
            int before = s.getsockopt(fd, SocketDefs.SOL_SOCKET, SocketDefs.SO_SNDBUF);
            s.connect(fd, SockAddr.in("198.18.0.9", 9));
            assertTrue(before < 128 * 1024);
            assertEquals(128 * 1024, s.getsockopt(fd, SocketDefs.SOL_SOCKET, SocketDefs.SO_SNDBUF));
            assertEquals(200 * 1024, s.getsockopt(fd, SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVBUF));
            int lo = s.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
            s.connect(lo, SockAddr.in("127.0.0.1", 9));
            assertEquals(before, s.getsockopt(lo, SocketDefs.SOL_SOCKET, SocketDefs.SO_SNDBUF), "lo0 has no hook");
            s.close(fd);
            s.close(lo);
        }
    }
}
