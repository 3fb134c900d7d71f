package io.jrump.systest;

import static io.jrump.systest.TestNet.*;
import static org.junit.jupiter.api.Assertions.*;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.virtif.Hub;
import io.jrump.virtif.LinkEmulator;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** UDP sockets across kernels, through the syscall interface a program uses. */
class UdpTest {
    private static int udp(Syscalls s) throws ErrnoException {
        return s.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
    }

    @Test
    void datagramsGoBothWaysWithTheirSenderAddress() throws Exception {
        try (TestNet net = new TestNet()) {
            Hub hub = new Hub("h");
            Kernel a = net.boot("a");
            Kernel b = net.boot("b");
            attach(a, "shmif0", hub.attach(), "198.18.0.1/24");
            attach(b, "shmif0", hub.attach(), "198.18.0.2/24");
            Syscalls sa = a.syscalls();
            Syscalls sb = b.syscalls();
            int server = udp(sb);
            sb.bind(server, SockAddr.in("0.0.0.0", 7));
            int client = udp(sa);
            assertEquals(5, sa.sendto(client, ByteBuffer.wrap("hello".getBytes()), 0, SockAddr.in("198.18.0.2", 7)));
            ByteBuffer buf = ByteBuffer.allocate(100);
            SockAddr from = new SockAddr();
            assertEquals(5, sb.recvfrom(server, buf, 0, from));
            assertEquals("hello", new String(buf.array(), 0, 5));
            assertEquals("198.18.0.1", SockAddr.format(from.addr));
            SockAddr mine = new SockAddr();
            sa.getsockname(client, mine);
            assertEquals(mine.port, from.port, "the reply goes to the port the kernel picked");
            assertTrue(from.port >= 49152, "ephemeral ports come from the anonymous range (RFC 6056)");
            sb.sendto(server, ByteBuffer.wrap("world".getBytes()), 0, from);
            buf.clear();
            assertEquals(5, sa.recvfrom(client, buf, 0, null));
            assertEquals("world", new String(buf.array(), 0, 5));
            sa.close(client);
            sb.close(server);
        }
    }

    @Test
    void sixtyThousandByteDatagramArrivesWholeThroughAReorderingLink() throws Exception {
        try (TestNet net = new TestNet()) {
            Hub hub = new Hub("h");
            Kernel a = net.boot("a");
            Kernel b = net.boot("b");
            String emu = "reorder=25%,reorder-delay=3ms,delay=1ms,seed=11";
            attach(a, "shmif0", new LinkEmulator(a.hypercall(), hub.attach(), emu), "198.18.0.1/24");
            attach(b, "shmif0", new LinkEmulator(b.hypercall(), hub.attach(), emu), "198.18.0.2/24");
            int rx = udp(b.syscalls());
            b.syscalls().setsockopt(rx, SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVBUF, 200_000);
            b.syscalls().bind(rx, SockAddr.in("198.18.0.2", 5000));
            int tx = udp(a.syscalls());
            a.syscalls().setsockopt(tx, SocketDefs.SOL_SOCKET, SocketDefs.SO_SNDBUF, 65_536);
            byte[] data = new byte[60_000];
            new SplittableRandom(5).nextBytes(data);
            a.syscalls().sendto(tx, ByteBuffer.wrap(data), 0, SockAddr.in("198.18.0.2", 5000));
            ByteBuffer got = ByteBuffer.allocate(65_536);
            b.syscalls().setsockopt(rx, SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVTIMEO, 20_000);
            assertEquals(60_000, b.syscalls().recvfrom(rx, got, 0, null));
            assertArrayEquals(data, Arrays.copyOf(got.array(), 60_000));
            assertTrue(inet(a).ipStats().get("fragments created") >= 41);
            a.syscalls().close(tx);
            b.syscalls().close(rx);
        }
    }

    @Test
    void closedPortAnswersIcmpAndAConnectedSocketSeesEconnrefused() throws Exception {
        try (TestNet net = new TestNet()) {
            Hub hub = new Hub("h");
            Kernel a = net.boot("a");
            Kernel b = net.boot("b");
            attach(a, "shmif0", hub.attach(), "198.18.0.1/24");
            attach(b, "shmif0", hub.attach(), "198.18.0.2/24");
            Syscalls sa = a.syscalls();
            int s = udp(sa);
            sa.connect(s, SockAddr.in("198.18.0.2", 9999));
            sa.sendto(s, ByteBuffer.wrap(new byte[] {1}), 0, null);
            sa.setsockopt(s, SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVTIMEO, 20_000);
            ErrnoException e = assertThrows(ErrnoException.class, () -> sa.recvfrom(s, ByteBuffer.allocate(10), 0, null));
            assertEquals(Errno.ECONNREFUSED, e.errno());
            assertEquals(1, inet(b).udp().stats().get("dropped due to no socket"));
            assertEquals(1, inet(a).icmp().stats().get("destination unreachable received"));
            sa.close(s);
        }
    }

    @Test
    void broadcastNeedsSoBroadcastAndReachesEveryListener() throws Exception {
        try (TestNet net = new TestNet()) {
            Hub hub = new Hub("h");
            Kernel a = net.boot("a");
            Kernel b = net.boot("b");
            Kernel c = net.boot("c");
            attach(a, "shmif0", hub.attach(), "198.18.0.1/24");
            attach(b, "shmif0", hub.attach(), "198.18.0.2/24");
            attach(c, "shmif0", hub.attach(), "198.18.0.3/24");
            int rb = udp(b.syscalls());
            b.syscalls().bind(rb, SockAddr.in("0.0.0.0", 4000));
            int rc = udp(c.syscalls());
            c.syscalls().bind(rc, SockAddr.in("0.0.0.0", 4000));
            int tx = udp(a.syscalls());
            SockAddr bcast = SockAddr.in("198.18.0.255", 4000);
            ErrnoException e = assertThrows(ErrnoException.class,
                    () -> a.syscalls().sendto(tx, ByteBuffer.wrap(new byte[] {7}), 0, bcast));
            assertEquals(Errno.EACCES, e.errno());
            a.syscalls().setsockopt(tx, SocketDefs.SOL_SOCKET, SocketDefs.SO_BROADCAST, 1);
            a.syscalls().sendto(tx, ByteBuffer.wrap(new byte[] {7}), 0, bcast);
            for (Kernel k : new Kernel[] {b, c}) {
                int fd = k == b ? rb : rc;
                k.syscalls().setsockopt(fd, SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVTIMEO, 20_000);
                ByteBuffer buf = ByteBuffer.allocate(4);
                assertEquals(1, k.syscalls().recvfrom(fd, buf, 0, null));
                assertEquals(7, buf.get(0));
            }
        }
    }

    @Test
    void bindErrorsAreTheBsdOnes() throws Exception {
        try (TestNet net = new TestNet()) {
            Kernel a = net.boot("a");
            attach(a, "shmif0", new Hub("h").attach(), "198.18.0.1/24");
            Syscalls s = a.syscalls();
            int x = udp(s);
            s.bind(x, SockAddr.in("198.18.0.1", 53));
            int y = udp(s);
            assertEquals(Errno.EADDRINUSE, assertThrows(ErrnoException.class,
                    () -> s.bind(y, SockAddr.in("0.0.0.0", 53))).errno());
            assertEquals(Errno.EADDRNOTAVAIL, assertThrows(ErrnoException.class,
                    () -> s.bind(y, SockAddr.in("198.18.9.9", 54))).errno());
            s.setsockopt(y, SocketDefs.SOL_SOCKET, SocketDefs.SO_REUSEADDR, 1);
            s.bind(y, SockAddr.in("127.0.0.1", 53));
            var user = a.newProcess("user", new io.jrump.kern.Cred(1000, 1000, new int[0]));
            int z = udp(user.syscalls());
            assertEquals(Errno.EACCES, assertThrows(ErrnoException.class,
                    () -> user.syscalls().bind(z, SockAddr.in("0.0.0.0", 99))).errno());
            assertEquals(Errno.EPERM, assertThrows(ErrnoException.class,
                    () -> user.syscalls().socket(SocketDefs.AF_INET, SocketDefs.SOCK_RAW, SocketDefs.IPPROTO_ICMP)).errno());
            s.close(x);
            s.close(y);
        }
    }
}
