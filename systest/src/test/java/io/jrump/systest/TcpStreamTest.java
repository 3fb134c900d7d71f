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
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** TCP connections through the syscall interface, in one kernel over lo0 and between two kernels. */
class TcpStreamTest {
    static int tcp(Syscalls s) throws ErrnoException {
        return s.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
    }

    static int readFully(Syscalls s, int fd, ByteBuffer dst) throws ErrnoException {
        int total = 0;
        while (dst.hasRemaining()) {
            int n = s.read(fd, dst);
            if (n == 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    /** Two kernels on one hub, and a TCP connection from {@code a} to a listener of {@code b}'s. */
    record HubPair(Kernel a, Kernel b, Syscalls sa, Syscalls sb, int client, int server, int listener) {
    }

    static HubPair connectOverHub(TestNet net, int port) throws Exception {
        Hub hub = new Hub("h");
        Kernel a = net.boot("a");
        Kernel b = net.boot("b");
        attach(a, "shmif0", hub.attach(), "198.18.0.1/24");
        attach(b, "shmif0", hub.attach(), "198.18.0.2/24");
        Syscalls sa = a.syscalls();
        Syscalls sb = b.syscalls();
        int l = tcp(sb);
        sb.bind(l, SockAddr.in("0.0.0.0", port));
        sb.listen(l, 5);
        int c = tcp(sa);
        sa.connect(c, SockAddr.in("198.18.0.2", port));
        return new HubPair(a, b, sa, sb, c, sb.accept(l, null), l);
    }

    @Test
    void echoOverLoopback() throws Exception {
        try (TestNet net = new TestNet()) {
            Kernel k = net.boot("a");
            Syscalls s = k.syscalls();
            int l = tcp(s);
            s.bind(l, SockAddr.in("127.0.0.1", 7));
            s.listen(l, 5);
            int c = tcp(s);
            s.connect(c, SockAddr.in("127.0.0.1", 7));
            SockAddr from = new SockAddr();
            int a = s.accept(l, from);
            assertEquals("127.0.0.1", SockAddr.format(from.addr));
            assertEquals(5, s.write(c, ByteBuffer.wrap("hello".getBytes())));
            ByteBuffer buf = ByteBuffer.allocate(5);
            assertEquals(5, readFully(s, a, buf));
            assertEquals("hello", new String(buf.array()));
            s.close(c);
            assertEquals(0, s.read(a, ByteBuffer.allocate(10)), "the peer's FIN reads as end of stream");
            s.close(a);
            s.close(l);
        }
    }

    @Test
    void megabytesBetweenTwoKernels() throws Exception {
        try (TestNet net = new TestNet()) {
            HubPair p = connectOverHub(net, 5001);
            Syscalls sa = p.sa();
            Syscalls sb = p.sb();
            int c = p.client();
            int srv = p.server();
            int l = p.listener();
            byte[] data = new byte[8 << 20];
            new SplittableRandom(3).nextBytes(data);
            Thread writer = new Thread(() -> {
                try {
                    ByteBuffer src = ByteBuffer.wrap(data);
                    while (src.hasRemaining()) {
                        sa.write(c, src);
                    }
                    sa.close(c);
                } catch (ErrnoException e) {
                    throw new RuntimeException(e);
                }
            });
            writer.start();
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            ByteBuffer buf = ByteBuffer.allocate(65536);
            long total = 0;
            for (;;) {
                buf.clear();
                int n = sb.read(srv, buf);
                if (n == 0) {
                    break;
                }
                md.update(buf.array(), 0, n);
                total += n;
            }
            writer.join();
            assertEquals(data.length, total);
            assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(data), md.digest());
            sb.close(srv);
            sb.close(l);
        }
    }

    /**
     * The hub lends the sender's clusters to the receiver (MbufCopy.lendPacket): a sender that halts while
     * the receiver still holds unread data halts clean (the clusters are the receiver's to give back, not
     * the sender's leak), and the receiver still reads every byte, then halts clean too.
     */
    @Test
    void aSenderHaltsCleanWhileTheReceiverStillHoldsWhatItSent() throws Exception {
        try (TestNet net = new TestNet()) {
            HubPair p = connectOverHub(net, 5002);
            Syscalls sa = p.sa();
            Syscalls sb = p.sb();
            int srv = p.server();
            byte[] data = new byte[100_000];
            new SplittableRandom(4).nextBytes(data);
            ByteBuffer src = ByteBuffer.wrap(data);
            while (src.hasRemaining()) {
                sa.write(p.client(), src);
            }
            sa.close(p.client());
            int[] queued = new int[1];
            TestNet.await("all of it to wait, unread, in the receiver's buffer", () -> {
                try {
                    sb.ioctl(srv, io.jrump.kern.syscall.SocketDefs.FIONREAD, queued);
                } catch (ErrnoException e) {
                    throw new AssertionError(e);
                }
                return queued[0] >= data.length;
            });
            assertEquals(data.length, queued[0], "all of it waits, unread, in the receiver's buffer");
            io.jrump.kern.HaltReport r = p.a().halt();
            assertTrue(r.clean(), r.toString());
            ByteBuffer got = ByteBuffer.allocate(data.length + 1);
            assertEquals(data.length, readFully(sb, srv, got), "every byte, then the end of the stream");
            assertArrayEquals(data, java.util.Arrays.copyOf(got.array(), data.length));
            sb.close(srv);
            sb.close(p.listener());
        }
    }

    @Test
    void connectToAClosedPortIsRefused() throws Exception {
        try (TestNet net = new TestNet()) {
            Kernel k = net.boot("a");
            Syscalls s = k.syscalls();
            int c = tcp(s);
            ErrnoException e = assertThrows(ErrnoException.class, () -> s.connect(c, SockAddr.in("127.0.0.1", 9)));
            assertEquals(Errno.ECONNREFUSED, e.errno());
            s.close(c);
        }
    }
}
