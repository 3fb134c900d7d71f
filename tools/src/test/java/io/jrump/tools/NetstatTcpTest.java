package io.jrump.tools;

import static org.junit.jupiter.api.Assertions.*;

import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.testkit.Probes;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code rump.netstat -an} and {@code -s} with live TCP connections between two kernels. */
class NetstatTcpTest {
    private static final String HEADER = "Proto Recv-Q Send-Q  Local Address          Foreign Address        State";

    @Test
    void listsListenersConnectionsWithTheirQueuesAndTimeWait() throws Exception {
        try (TcpNet net = new TcpNet()) {
            Syscalls sa = net.a.syscalls();
            Syscalls sb = net.b.syscalls();
            int l = TcpNet.listen(sb, 5001);
            int c = sa.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
            sa.connect(c, SockAddr.in("198.18.0.2", 5001));
            SockAddr peer = new SockAddr();
            int srv = sb.accept(l, peer);
            assertEquals(7, sa.write(c, ByteBuffer.wrap("unread\n".getBytes())));
            TcpNet.awaitPcb(net.b, "198.18.0.2", "5001", "7", "ESTABLISHED");

            String all = new TcpNet.Run(new Netstat(), sb, "-an").ok().out;
            String[] lines = all.split("\n");
            assertEquals("Active Internet connections (including servers)", lines[0]);
            assertEquals(HEADER, lines[1]);
            assertTrue(all.contains("\ntcp        0      0  *.5001                 *.*                    LISTEN\n"), all);
            String conn = String.format("tcp        7      0  198.18.0.2.5001        %-22s ESTABLISHED",
                    "198.18.0.1." + peer.port);
            assertTrue(all.contains("\n" + conn + "\n"), all);

            String connected = new TcpNet.Run(new Netstat(), sb, "-n").ok().out;
            assertTrue(connected.startsWith("Active Internet connections\n" + HEADER + "\n"), connected);
            assertTrue(connected.contains(conn), connected);
            assertFalse(connected.contains("LISTEN"), "without -a a listener is not shown:\n" + connected);

            String verbose = new TcpNet.Run(new Netstat(), sb, "-anv", "-p", "tcp").ok().out;
            assertTrue(verbose.split("\n")[1].endsWith("Segs-in Segs-out   Bytes-in  Bytes-out Rexmits"), verbose);
            assertTrue(verbose.matches("(?s).*ESTABLISHED +\\d+ +\\d+ +7 +0 +0\\n.*"), verbose);

            // a closes first, so a's end waits in TIME_WAIT; b's, having read the FIN, is CLOSE_WAIT.
            sa.close(c);
            TcpNet.awaitPcb(net.b, "5001", "CLOSE_WAIT");
            assertTrue(new TcpNet.Run(new Netstat(), sb, "-an").ok().out.contains(
                    String.format("tcp        7      0  198.18.0.2.5001        %-22s CLOSE_WAIT%n", "198.18.0.1." + peer.port)));
            assertEquals(7, sb.read(srv, ByteBuffer.allocate(100)), "closing with unread data would send a RST");
            sb.close(srv);
            TcpNet.awaitPcb(net.a, String.valueOf(peer.port), "TIME_WAIT");
            String tw = new TcpNet.Run(new Netstat(), sa, "-an", "-p", "tcp").ok().out;
            assertTrue(tw.contains(String.format("tcp        0      0  %-22s 198.18.0.2.5001        TIME_WAIT%n",
                    "198.18.0.1." + peer.port)), tw);
            sb.close(l);
        }
    }

    @Test
    void protocolFilterKeepsUdpOrTcpOnly() throws Exception {
        try (TcpNet net = new TcpNet()) {
            Syscalls sb = net.b.syscalls();
            int l = TcpNet.listen(sb, 80);
            int u = sb.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
            sb.bind(u, SockAddr.in("0.0.0.0", 53));
            String udp = new TcpNet.Run(new Netstat(), sb, "-a", "-n", "-p", "udp").ok().out;
            assertTrue(udp.contains("\nudp        0      0  *.53                   *.*\n"), udp);
            assertFalse(udp.contains("tcp "), udp);
            String tcp = new TcpNet.Run(new Netstat(), sb, "-anptcp").ok().out;
            assertTrue(tcp.contains("*.80 "), tcp);
            assertFalse(tcp.contains("udp "), tcp);
            TcpNet.Run bad = new TcpNet.Run(new Netstat(), sb, "-s", "-p", "xtp");
            assertEquals(1, bad.status);
            assertEquals("rump.netstat: xtp: unknown protocol\n", bad.err);
            sb.close(u);
            sb.close(l);
        }
    }

    @Test
    void tcpCountersReadAsNetbsdPrintsThem() throws Exception {
        try (TcpNet net = new TcpNet()) {
            Syscalls sa = net.a.syscalls();
            Syscalls sb = net.b.syscalls();
            int l = TcpNet.listen(sb, 5001);
            int c = sa.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
            sa.connect(c, SockAddr.in("198.18.0.2", 5001));
            int srv = sb.accept(l, null);
            byte[] data = new byte[100_000];
            ByteBuffer src = ByteBuffer.wrap(data);
            while (src.hasRemaining()) {
                sa.write(c, src);
            }
            ByteBuffer dst = ByteBuffer.allocate(data.length);
            while (dst.hasRemaining()) {
                sb.read(srv, dst);
            }

            String a = new TcpNet.Run(new Netstat(), sa, "-s", "-p", "tcp").ok().out;
            assertTrue(a.startsWith("tcp:\n\t"), a);
            assertFalse(a.contains("\nudp:") || a.contains("\nip:"), "-p tcp prints tcp only:\n" + a);
            assertTrue(a.matches("(?s)tcp:\\n\\t\\d+ packets sent\\n\\t\\t\\d+ data packets \\(100000 bytes\\)\\n"
                    + "\\t\\t0 data packets \\(0 bytes\\) retransmitted\\n\\t\\t\\d+ ack-only packets? \\(\\d+ delayed\\)\\n.*"), a);
            assertTrue(a.contains("\n\t1 connection request\n"), a);
            assertTrue(a.contains("\n\t0 connection accepts\n"), a);
            assertTrue(a.contains("\n\t1 connection established (including accepts)\n"), a);
            assertTrue(a.contains("\n\t\t0 duplicate acks\n"), a);
            assertTrue(a.contains("\n\t0 SACK recovery episodes\n"), a);
            assertTrue(a.matches("(?s).*\\n\\t\\t\\d+ acks? \\(for \\d+ bytes\\)\\n.*"), a);
            String b = new TcpNet.Run(new Netstat(), sb, "-s").ok().out;
            assertTrue(b.startsWith("tcp:\n"), "tcp comes first, as in NetBSD:\n" + b);
            assertTrue(b.contains("\n\t1 connection accept\n"), b);
            assertTrue(b.contains("\n\t1 SYN cache entries added\n\t\t1 completed\n"), b);
            assertTrue(b.matches("(?s).*\\n\\t\\t\\d+ packets \\(100000 bytes\\) received in-sequence\\n.*"), b);
            assertTrue(b.contains("\nudp:\n") && b.contains("\nip:\n"), b);

            String quiet = new TcpNet.Run(new Netstat(), sb, "-ss", "-p", "tcp").ok().out;
            assertFalse(quiet.contains("\t0 "), "-ss leaves the zeros out:\n" + quiet);
            assertTrue(quiet.contains("\n\t1 connection accept\n"), quiet);
            sa.close(c);
            sb.close(srv);
            sb.close(l);
            // a closed first: its TIME_WAIT becomes a vestigial entry (seed 004), counted under tcp:
            String vtw = Probes.awaitValue("a vestigial TIME_WAIT insert", () -> {
                String st = new TcpNet.Run(new Netstat(), sa, "-s", "-p", "tcp").ok().out;
                return st.contains("\n\t\t1 inserts\n") ? st : null;
            });
            assertTrue(vtw.contains("\n\tvestigial TIME_WAIT:\n") && vtw.contains("\n\t\t1 inserts\n"), vtw);
        }
    }

    @Test
    void countersWithoutALineArePrintedNotHidden() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("packets sent", 1L);
        m.put("segments frobnicated", 3L);
        m.put("data packets sent", 2L);
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        TcpStatLines.print(m, false, new PrintStream(o, true));
        assertEquals("\t1 packet sent\n\t3 segments frobnicated\n\t2 data packets sent\n", o.toString(),
                "a line whose partner counter is missing falls back to the kernel's own words");
    }
}
