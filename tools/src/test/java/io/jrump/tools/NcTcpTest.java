package io.jrump.tools;

import static org.junit.jupiter.api.Assertions.*;

import io.jrump.kern.syscall.Syscalls;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@code rump.nc} over TCP between two kernels, with OpenBSD nc's flags and messages. */
class NcTcpTest {
    /** A tool running on its own thread, with its output kept. */
    private static final class Background {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final AtomicInteger status = new AtomicInteger(-1);
        final Thread thread;

        Background(Syscalls sys, InputStream in, String... args) {
            thread = new Thread(() -> status.set(Main.run(new Nc(in), sys, args, new PrintStream(out, true),
                    new PrintStream(err, true))), "nc " + String.join(" ", args));
            thread.start();
        }

        int join() throws InterruptedException {
            thread.join(60_000);
            assertFalse(thread.isAlive(), "nc did not finish; stderr: " + err);
            return status.get();
        }
    }

    private static InputStream input(byte[] b) {
        return new ByteArrayInputStream(b);
    }

    @Test
    void aFileCrossesFromClientToListenerAndTheListenerEndsAtTheClientsEof() throws Exception {
        try (TcpNet net = new TcpNet()) {
            Background server = new Background(net.b.syscalls(), input(new byte[0]), "-l", "9000");
            TcpNet.awaitPcb(net.b, "9000", "LISTEN");
            byte[] data = new byte[3 << 20];
            new SplittableRandom(5).nextBytes(data);
            TcpNet.Run client = new TcpNet.Run(new Nc(input(data)), net.a.syscalls(), "-N", "198.18.0.2", "9000");
            assertEquals(0, client.status, client.err);
            assertEquals(0, server.join(), server.err.toString());
            assertArrayEquals(data, server.out.toByteArray());
            assertEquals("", client.out);
        }
    }

    @Test
    void bothDirectionsWithListenerOnDashPAndVerboseMessages() throws Exception {
        try (TcpNet net = new TcpNet()) {
            Background server = new Background(net.b.syscalls(), input("pong\n".getBytes()), "-v", "-N", "-l", "-p",
                    "9001");
            TcpNet.awaitPcb(net.b, "9001", "LISTEN");
            // Without -N the client keeps its side open after its input ends, and is done once the
            // listener has closed.
            TcpNet.Run client = new TcpNet.Run(new Nc(input("ping\n".getBytes())), net.a.syscalls(), "-v", "198.18.0.2",
                    "9001");
            assertEquals(0, client.status, client.err);
            assertEquals("pong\n", client.out);
            assertEquals("Connection to 198.18.0.2 9001 port [tcp/*] succeeded!\n", client.err);
            assertEquals(0, server.join());
            assertEquals("ping\n", server.out.toString());
            String[] said = server.err.toString().split("\n");
            assertEquals("Listening on 0.0.0.0 9001", said[0]);
            assertTrue(said[1].matches("Connection received on 198\\.18\\.0\\.1 \\d+"), said[1]);
        }
    }

    @Test
    void refusedConnectionsAndBadPortsAreOneLine() throws Exception {
        try (TcpNet net = new TcpNet()) {
            TcpNet.Run refused = new TcpNet.Run(new Nc(input(new byte[0])), net.a.syscalls(), "198.18.0.2", "9002");
            assertEquals(1, refused.status);
            assertEquals("rump.nc: connect to 198.18.0.2 port 9002 (tcp) failed: Connection refused\n", refused.err);
            TcpNet.Run bad = new TcpNet.Run(new Nc(input(new byte[0])), net.a.syscalls(), "198.18.0.2", "70000");
            assertEquals(1, bad.status);
            assertEquals("rump.nc: port number invalid: 70000\n", bad.err);
            TcpNet.Run word = new TcpNet.Run(new Nc(input(new byte[0])), net.a.syscalls(), "-l", "http");
            assertEquals(1, word.status);
            assertEquals("rump.nc: port number invalid: http\n", word.err);
            TcpNet.Run name = new TcpNet.Run(new Nc(input(new byte[0])), net.a.syscalls(), "example.org", "80");
            assertEquals(1, name.status);
            assertEquals(1, name.err.split("\n").length, name.err);
            TcpNet.Run noPort = new TcpNet.Run(new Nc(input(new byte[0])), net.a.syscalls(), "198.18.0.2");
            assertEquals(1, noPort.status);
            assertTrue(noPort.err.startsWith("rump.nc: no port\nusage: rump.nc "), noPort.err);
        }
    }

    @Test
    void scanReportsOpenAndClosedPorts() throws Exception {
        try (TcpNet net = new TcpNet()) {
            int l = TcpNet.listen(net.b.syscalls(), 22);
            TcpNet.Run scan = new TcpNet.Run(new Nc(input(new byte[0])), net.a.syscalls(), "-z", "-v", "198.18.0.2",
                    "21-23");
            assertEquals(0, scan.status, scan.err);
            assertEquals("rump.nc: connect to 198.18.0.2 port 21 (tcp) failed: Connection refused\n"
                    + "Connection to 198.18.0.2 22 port [tcp/*] succeeded!\n"
                    + "rump.nc: connect to 198.18.0.2 port 23 (tcp) failed: Connection refused\n", scan.err);
            TcpNet.Run quiet = new TcpNet.Run(new Nc(input(new byte[0])), net.a.syscalls(), "-z", "198.18.0.2", "23");
            assertEquals(1, quiet.status);
            assertEquals("", quiet.err);
            TcpNet.Run range = new TcpNet.Run(new Nc(input(new byte[0])), net.a.syscalls(), "198.18.0.2", "21-23");
            assertEquals(1, range.status);
            assertEquals("rump.nc: port range not valid without -z: 21-23\n", range.err);
            net.b.syscalls().close(l);
        }
    }

    @Test
    void dashWBoundsAConnectThatGetsNoAnswer() throws Exception {
        try (TcpNet net = new TcpNet()) {
            TcpNet.Run r = new TcpNet.Run(new Nc(input(new byte[0])), net.a.syscalls(), "-w", "1", "198.18.0.77", "80");
            assertEquals(1, r.status);
            assertTrue(r.err.startsWith("rump.nc: connect to 198.18.0.77 port 80 (tcp) failed: "), r.err);
            assertEquals(1, r.err.split("\n").length, r.err);
        }
    }
}
