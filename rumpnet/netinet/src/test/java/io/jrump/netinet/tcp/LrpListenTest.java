package io.jrump.netinet.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.kern.Cred;
import io.jrump.netinet.lrp.LrpStat;
import io.jrump.wire.TcpFlags;
import org.junit.jupiter.api.Test;

/**
 * Lazy Receiver Processing and a listener (seed 003, "TCP protocol processing"): once the backlog is
 * exceeded (completed and half-open connections counted, as 4.4BSD's {@code so_qlen + so_q0len}),
 * the listener's channel is not processed, so further SYNs are dropped at the channel, for free, instead
 * of being taken through TCP input; {@code accept} resumes it.
 */
class LrpListenTest {
    private static Sent syn(TcpTestContext c, int port) {
        c.inject(c.seg().ports(port, TcpTestContext.LOCAL_PORT).seq(port * 1000).flags(TcpFlags.SYN).mss(1460));
        return c.poll();
    }

    @Test
    void fullBacklogDropsSynsAtTheChannel() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            c.kernel.sysctl().write("net.inet.lrp.enable", "1", Cred.ROOT);
            c.kernel.sysctl().write("net.inet.lrp.channel_len", "4", Cred.ROOT);
            int l = c.listen(1);
            for (int port = 41000; port < 41002; port++) {
                Sent sa = syn(c, port);
                assertTrue(sa != null && sa.has(TcpFlags.SYN | TcpFlags.ACK), "SYN,ACK for " + port + ": " + sa);
                c.inject(c.seg().ports(port, TcpTestContext.LOCAL_PORT).seq(port * 1000 + 1).ack(sa.seq() + 1)
                        .flags(TcpFlags.ACK));
                c.expectNothing("connection " + port + " queued, or its ACK held");
            }
            long synsIn = c.tcp.stats().get("packets received");
            for (int port = 42000; port < 42010; port++) {
                assertEquals(null, syn(c, port), "no answer while the backlog is full");
            }
            // The second handshake's ACK already found the backlog exceeded (one queued, one half-open, past
            // three halves of 1) and holds a slot of the channel: 3 SYNs wait with it, 7 are dropped there.
            assertEquals(7, c.inet.lrp().stats().get(LrpStat.CHANNEL_DROPS), "3 wait in the channel, 7 dropped there");
            assertEquals(synsIn, c.tcp.stats().get("packets received"), "TCP input saw none of them");
            c.sys.accept(l, null);
            c.settle();
            int answered = 0;
            Sent s;
            while ((s = c.poll()) != null) {
                if (s.has(TcpFlags.SYN | TcpFlags.ACK)) {
                    answered++;
                }
            }
            assertTrue(answered >= 1, "accept made room and the waiting SYNs are processed: " + answered);
        }
    }
}
