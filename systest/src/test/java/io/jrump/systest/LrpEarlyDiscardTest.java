package io.jrump.systest;

import static io.jrump.systest.TestNet.attach;
import static io.jrump.systest.TestNet.inet;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jrump.kern.Cred;
import io.jrump.kern.Kernel;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.netinet.lrp.LrpStat;
import io.jrump.net.Ifnet;
import io.jrump.virtif.Hub;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * Early discard over a real link (seed 003): with Lazy Receiver Processing on and a socket's channel full, a
 * frame another kernel sends over the hub is dropped by the receiving interface's driver before it builds an
 * mbuf for it, counted as the socket's channel drop and as an early discard; the frames the channel held
 * reach the reader, in order.
 */
class LrpEarlyDiscardTest {
    private static final int PORT = 7777;

    @Test
    void aFullChannelDropsFramesBeforeTheDriverBuildsMbufs() throws Exception {
        try (TestNet net = new TestNet()) {
            Hub hub = new Hub("h");
            Kernel a = net.boot("a");
            Kernel b = net.boot("b");
            attach(a, "shmif0", hub.attach(), "198.18.0.1/24");
            Ifnet bif = attach(b, "shmif0", hub.attach(), "198.18.0.2/24");
            Syscalls sa = a.syscalls();
            Syscalls sb = b.syscalls();
            int rx = sb.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
            sb.bind(rx, SockAddr.in("0.0.0.0", PORT));
            int tx = sa.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
            sa.connect(tx, SockAddr.in("198.18.0.2", PORT));
            send(sa, tx, 100);
            assertEquals(100, read(sb, rx), "the first datagram, which resolved the addresses");
            b.sysctl().write("net.inet.lrp.channel_len", "4", Cred.ROOT);
            b.sysctl().write("net.inet.lrp.enable", "1", Cred.ROOT);
            long inUse = bif.mbufs().stats().mbufsInUse();
            for (int i = 0; i < 10; i++) {
                send(sa, tx, i);
            }
            var lrp = inet(b).lrp().stats();
            TestNet.await("6 channel drops", () -> lrp.get(LrpStat.CHANNEL_DROPS) == 6);
            assertEquals(6, lrp.get(LrpStat.EARLY_DISCARDS), "every drop before an mbuf was built");
            assertEquals(4, lrp.get(LrpStat.QUEUED));
            assertEquals(4, bif.mbufs().stats().mbufsInUse() - inUse, "one chain for each queued frame, none for the dropped");
            for (int i = 0; i < 4; i++) {
                assertEquals(i, read(sb, rx));
            }
        }
    }

    private static void send(Syscalls s, int fd, int tag) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(64);
        b.putInt(tag).position(64).flip();
        s.write(fd, b);
    }

    private static int read(Syscalls s, int fd) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(2048);
        assertEquals(64, s.read(fd, b));
        return b.getInt(0);
    }
}
