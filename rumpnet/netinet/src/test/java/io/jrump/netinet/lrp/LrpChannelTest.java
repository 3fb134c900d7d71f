package io.jrump.netinet.lrp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.kern.Cred;
import io.jrump.kern.sched.Proc;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.netinet.NetTestContext;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Lazy Receiver Processing's channels (seed 003), with frames injected on a test interface: what a full
 * channel drops and where, what takes the eager path, who is charged, and the switch between modes.
 */
class LrpChannelTest {
    private static final int PORT = 7777;

    private static void lazy(NetTestContext c, int channelLen) throws Exception {
        c.kernel.sysctl().write("net.inet.lrp.enable", "1", Cred.ROOT);
        c.kernel.sysctl().write("net.inet.lrp.channel_len", Integer.toString(channelLen), Cred.ROOT);
    }

    private static byte[] datagram(int i) {
        return NetTestContext.udp(NetTestContext.REMOTE, 4000, NetTestContext.LOCAL, PORT, NetTestContext.bytes(32, i));
    }

    private static long ip(NetTestContext c) {
        return c.inet.ipStats().get("total packets received");
    }

    /**
     * With a channel of 4 and nobody reading, 10 datagrams leave 4 queued and 6 dropped at the channel,
     * counted there and in the socket's row, and IP has seen none of them; the reader then gets the 4 in
     * order, and IP input runs for exactly those.
     */
    @Test
    void fullChannelDropsBeforeIpProcessing() throws Exception {
        try (NetTestContext c = new NetTestContext(1)) {
            lazy(c, 4);
            int fd = c.udpSocket(0, PORT);
            long ip0 = ip(c);
            for (int i = 0; i < 10; i++) {
                c.injectIp(datagram(i));
            }
            assertEquals(6, c.inet.lrp().stats().get(LrpStat.CHANNEL_DROPS));
            assertEquals(4, c.inet.lrp().stats().get(LrpStat.QUEUED));
            assertEquals(0, ip(c) - ip0, "no IP processing before the reader asks");
            String row = c.kernel.sysctl().read("net.inet.lrp.sockets");
            assertTrue(row.contains("udp 0.0.0.0 " + PORT + " 0.0.0.0 0 4 6 4"), row);
            for (int i = 0; i < 4; i++) {
                NetTestContext.Received r = c.receive(fd);
                assertNotNull(r, "datagram " + i);
                assertArrayEquals(NetTestContext.bytes(32, i), r.data());
            }
            assertNull(c.receive(fd));
            assertEquals(4, ip(c) - ip0, "IP input ran for the queued datagrams only");
            assertEquals(4, c.inet.lrp().stats().get(LrpStat.IN_RECEIVER));
        }
    }

    /** A datagram for a port nobody has takes the eager path: ICMP port unreachable, no channel involved. */
    @Test
    void unmatchedFramesTakeTheEagerPath() throws Exception {
        try (NetTestContext c = new NetTestContext(1)) {
            lazy(c, 4);
            c.injectIp(datagram(0));
            assertEquals(0, c.inet.lrp().stats().get(LrpStat.QUEUED));
            assertEquals(1, c.inet.icmp().stats().get("error messages sent"));
        }
    }

    /**
     * A reader's recv does the IP and UDP work of its datagrams on its own lwp, charged to its process as
     * protocol time; another process with a socket of its own is charged nothing.
     */
    @Test
    void processingIsChargedToTheReceivingProcess() throws Exception {
        try (NetTestContext c = new NetTestContext(1)) {
            lazy(c, 256);
            Proc reader = c.kernel.createProcess("reader", Cred.ROOT);
            Proc idle = c.kernel.createProcess("idle", Cred.ROOT);
            Syscalls rs = reader.syscalls();
            Syscalls is = idle.syscalls();
            int fd = rs.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM | SocketDefs.SOCK_NONBLOCK, 0);
            rs.bind(fd, SockAddr.in(0, PORT));
            int other = is.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM | SocketDefs.SOCK_NONBLOCK, 0);
            is.bind(other, SockAddr.in(0, PORT + 1));
            for (int i = 0; i < 200; i++) {
                c.injectIp(datagram(i));
            }
            ByteBuffer b = ByteBuffer.allocate(2048);
            for (int i = 0; i < 200; i++) {
                b.clear();
                assertEquals(32, rs.recvfrom(fd, b, 0, null));
            }
            assertTrue(reader.protoNanos() > 0, "the reader's process is charged its protocol processing");
            assertEquals(0, idle.protoNanos(), "the other process is charged nothing");
        }
    }

    /** Datagrams queued on a channel before a switch to eager, and those after it, all reach the reader. */
    @Test
    void switchingModesLosesNothing() throws Exception {
        try (NetTestContext c = new NetTestContext(1)) {
            int fd = c.udpSocket(0, PORT);
            Set<Integer> sent = new HashSet<>();
            for (int round = 0; round < 6; round++) {
                c.kernel.sysctl().write("net.inet.lrp.enable", round % 2 == 0 ? "1" : "0", Cred.ROOT);
                for (int i = 0; i < 5; i++) {
                    int n = round * 5 + i;
                    sent.add(n);
                    c.injectIp(datagram(n));
                }
            }
            Set<Integer> got = new HashSet<>();
            NetTestContext.Received r;
            while ((r = c.receive(fd)) != null) {
                for (int n = 0; n < 30; n++) {
                    if (java.util.Arrays.equals(NetTestContext.bytes(32, n), r.data())) {
                        got.add(n);
                    }
                }
            }
            assertEquals(sent, got);
        }
    }
}
