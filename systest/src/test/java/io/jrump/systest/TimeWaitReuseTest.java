package io.jrump.systest;

import static io.jrump.systest.TcpStreamTest.tcp;
import static io.jrump.systest.TestNet.attach;
import static io.jrump.systest.TestNet.inet;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jrump.kern.Kernel;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.virtif.Hub;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * A client that connects again and again from one port to a server that closes first: each new SYN meets
 * the server's TIME_WAIT for the previous incarnation and must recycle it (RFC 6191 section 2), which it
 * can only prove by a newer timestamp if both ends keep one timestamp offset per four-tuple (RFC 7323
 * section 5.4). With an offset drawn per connection, about every second SYN looked older and was answered
 * with an ACK, and the connect waited for a SYN retransmission or for the TIME_WAIT to end.
 */
class TimeWaitReuseTest {
    static final int ROUNDS = 12;

    @Test
    void everyNewIncarnationRecyclesTheServersTimeWait() throws Exception {
        try (TestNet net = new TestNet()) {
            Hub hub = new Hub("h");
            Kernel a = net.boot("a");
            Kernel b = net.boot("b");
            attach(a, "shmif0", hub.attach(), "198.18.0.1/24");
            attach(b, "shmif0", hub.attach(), "198.18.0.2/24");
            Syscalls sa = a.syscalls();
            Syscalls sb = b.syscalls();
            int l = tcp(sb);
            sb.bind(l, SockAddr.in("198.18.0.2", 81));
            sb.listen(l, 4);
            ByteBuffer one = ByteBuffer.allocate(1);
            for (int i = 0; i < ROUNDS; i++) {
                int c = tcp(sa);
                sa.setsockopt(c, SocketDefs.SOL_SOCKET, SocketDefs.SO_REUSEADDR, 1);
                bindWhenFree(sa, c);
                sa.connect(c, SockAddr.in("198.18.0.2", 81));
                int s = sb.accept(l, null);
                sb.write(s, ByteBuffer.wrap(new byte[] {(byte) i}));
                sb.close(s);
                one.clear();
                assertEquals(1, sa.read(c, one), "round " + i);
                one.clear();
                assertEquals(0, sa.read(c, one), "the server closed first");
                sa.close(c);
            }
            assertEquals(ROUNDS - 1, inet(b).tcp().stats().get("TIME_WAIT connections recycled by a new SYN"),
                    "every SYN after the first recycled the server's TIME_WAIT");
            assertEquals(0, inet(a).tcp().stats().get("retransmit timeouts"), "no SYN waited for a retransmission");
            sb.close(l);
        }
    }

    /** The previous incarnation's socket holds the port until the server acknowledges its FIN (LAST_ACK). */
    private static void bindWhenFree(Syscalls s, int fd) throws Exception {
        for (int tries = 0;; tries++) {
            try {
                s.bind(fd, SockAddr.in("198.18.0.1", 40000));
                return;
            } catch (io.jrump.kern.ErrnoException e) {
                if (e.errno() != io.jrump.hypercall.Errno.EADDRINUSE || tries > 10_000) {
                    throw e;
                }
                Thread.sleep(1);
            }
        }
    }
}
