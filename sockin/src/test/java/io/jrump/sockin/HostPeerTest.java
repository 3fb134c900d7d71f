package io.jrump.sockin;

import static org.junit.jupiter.api.Assertions.*;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.file.KFile;
import io.jrump.kern.Kernel;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.testkit.RumpKernel;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * sockin against peers that are plain host sockets on loopback: what a program linked with
 * {@code rumpnet_sockin} sees when the other end is an ordinary host program.
 */
@RumpKernel(components = "rumpnet_sockin")
class HostPeerTest {
    private static int tcp(Syscalls s) throws ErrnoException {
        return s.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
    }

    private static String read(Syscalls s, int fd, int n) throws ErrnoException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (s.read(fd, b) == 0) {
                break;
            }
        }
        return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
    }

    @Test
    void rumpClientTalksToAHostServer(Kernel k) throws Exception {
        Syscalls s = k.syscalls();
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            int fd = tcp(s);
            s.connect(fd, SockAddr.in("127.0.0.1", server.getLocalPort()));
            try (java.net.Socket peer = server.accept()) {
                s.write(fd, ByteBuffer.wrap("ping".getBytes(StandardCharsets.UTF_8)));
                byte[] got = peer.getInputStream().readNBytes(4);
                assertEquals("ping", new String(got, StandardCharsets.UTF_8));
                peer.getOutputStream().write("pong".getBytes(StandardCharsets.UTF_8));
                assertEquals("pong", read(s, fd, 4));
                SockAddr peerAddr = new SockAddr();
                s.getpeername(fd, peerAddr);
                assertEquals(server.getLocalPort(), peerAddr.port);
                SockAddr mine = new SockAddr();
                s.getsockname(fd, mine);
                assertEquals(peer.getPort(), mine.port, "getsockname names the host socket's port");
                peer.shutdownOutput();
                assertEquals("", read(s, fd, 1), "the host peer's FIN is end of stream");
            }
            s.close(fd);
        }
    }

    @Test
    void hostClientTalksToARumpServer(Kernel k) throws Exception {
        Syscalls s = k.syscalls();
        int l = tcp(s);
        s.bind(l, SockAddr.in("127.0.0.1", 0));
        s.listen(l, 5);
        SockAddr at = new SockAddr();
        s.getsockname(l, at);
        assertNotEquals(0, at.port);
        byte[] data = new byte[3 << 20];
        new SplittableRandom(3).nextBytes(data);
        try (java.net.Socket c = new java.net.Socket()) {
            c.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), at.port));
            SockAddr from = new SockAddr();
            int fd = s.accept(l, from);
            assertEquals(c.getLocalPort(), from.port);
            Thread writer = new Thread(() -> {
                try {
                    OutputStream out = c.getOutputStream();
                    out.write(data);
                    c.shutdownOutput();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            writer.start();
            // echo everything back through the rump socket while the host writes: both directions
            // fill up, which exercises the back-pressure on each side
            ByteBuffer buf = ByteBuffer.allocate(50_000);
            byte[] echoed = new byte[data.length];
            Thread reader = new Thread(() -> {
                try {
                    InputStream in = c.getInputStream();
                    int off = 0;
                    while (off < echoed.length) {
                        int n = in.read(echoed, off, echoed.length - off);
                        if (n < 0) {
                            break;
                        }
                        off += n;
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            reader.start();
            for (;;) {
                buf.clear();
                int n = s.read(fd, buf);
                if (n == 0) {
                    break;
                }
                buf.flip();
                while (buf.hasRemaining()) {
                    s.write(fd, buf);
                }
            }
            writer.join();
            s.close(fd);
            reader.join();
            assertArrayEquals(data, echoed);
        }
        s.close(l);
    }

    /** The first of {@code names} found on the PATH, or null. */
    private static java.nio.file.Path onPath(String... names) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            for (String n : names) {
                java.nio.file.Path p = java.nio.file.Path.of(dir, n);
                if (java.nio.file.Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    @Test
    void aHostNetcatTalksToARumpServer(Kernel k) throws Exception {
        java.nio.file.Path tool = onPath("nc", "ncat", "socat");
        org.junit.jupiter.api.Assumptions.assumeTrue(tool != null, "neither nc nor socat is installed; skipped");
        Syscalls s = k.syscalls();
        int l = tcp(s);
        s.bind(l, SockAddr.in("127.0.0.1", 0));
        s.listen(l, 1);
        SockAddr at = new SockAddr();
        s.getsockname(l, at);
        boolean socat = tool.getFileName().toString().equals("socat");
        ProcessBuilder pb = socat ? new ProcessBuilder(tool.toString(), "-", "TCP:127.0.0.1:" + at.port)
                : new ProcessBuilder(tool.toString(), "127.0.0.1", Integer.toString(at.port));
        Process p = pb.redirectErrorStream(true).start();
        try {
            int fd = s.accept(l, null);
            p.getOutputStream().write("hello from the host\n".getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            assertEquals("hello from the host\n", read(s, fd, 100), "the request, then the client's end of stream");
            s.write(fd, ByteBuffer.wrap("hello from rump\n".getBytes(StandardCharsets.UTF_8)));
            s.close(fd);
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals("hello from rump\n", out, tool + " printed what the rump server wrote");
            assertTrue(p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS));
        } finally {
            p.destroyForcibly();
        }
        s.close(l);
    }

    @Test
    void datagramsToAndFromAHostSocket(Kernel k) throws Exception {
        Syscalls s = k.syscalls();
        try (DatagramSocket host = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            int fd = s.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
            s.sendto(fd, ByteBuffer.wrap("hello".getBytes(StandardCharsets.UTF_8)), 0,
                    SockAddr.in("127.0.0.1", host.getLocalPort()));
            DatagramPacket pkt = new DatagramPacket(new byte[100], 100);
            host.receive(pkt);
            assertEquals("hello", new String(pkt.getData(), 0, pkt.getLength(), StandardCharsets.UTF_8));
            SockAddr mine = new SockAddr();
            s.getsockname(fd, mine);
            assertEquals(pkt.getPort(), mine.port);
            host.send(new DatagramPacket("world!".getBytes(StandardCharsets.UTF_8), 6, pkt.getSocketAddress()));
            ByteBuffer b = ByteBuffer.allocate(100);
            SockAddr from = new SockAddr();
            assertEquals(6, s.recvfrom(fd, b, 0, from));
            assertEquals("world!", new String(Arrays.copyOf(b.array(), 6), StandardCharsets.UTF_8));
            assertEquals(host.getLocalPort(), from.port);
            assertEquals("127.0.0.1", SockAddr.format(from.addr));
            s.close(fd);
        }
    }

    @Test
    void closeStillSendsWhatTheHostHadNoRoomFor(Kernel k) throws Exception {
        Syscalls s = k.syscalls();
        byte[] data = new byte[64 << 20];
        new SplittableRandom(8).nextBytes(data);
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            int fd = tcp(s);
            s.connect(fd, SockAddr.in("127.0.0.1", server.getLocalPort()));
            try (java.net.Socket peer = server.accept()) {
                // write without blocking until the host's buffers and the rump send buffer are full
                s.fcntl(fd, Syscalls.F_SETFL, KFile.O_NONBLOCK);
                ByteBuffer b = ByteBuffer.wrap(data);
                ErrnoException full = assertThrows(ErrnoException.class, () -> {
                    while (b.hasRemaining()) {
                        s.write(fd, b);
                    }
                });
                assertEquals(Errno.EAGAIN, full.errno());
                int written = b.position();
                assertTrue(written < data.length);
                s.close(fd);
                byte[] got = peer.getInputStream().readAllBytes();
                assertEquals(written, got.length, "every byte written before close arrives, then the FIN");
                assertArrayEquals(Arrays.copyOf(data, written), got);
            }
        }
    }

    /**
     * A host program streams faster than the rump reader takes: bulk reads go into whole receive
     * buffers ({@link SockinRxBuffers}) and small ones through mbufs, and a reader taking odd amounts
     * (a byte, a frame, more than the buffer holds) sees every byte once, in order, then end of stream.
     */
    @Test
    void aBulkStreamFromAHostProgramArrivesWholeWhateverTheReadSizes(Kernel k) throws Exception {
        Syscalls s = k.syscalls();
        byte[] data = new byte[16 << 20];
        new SplittableRandom(16).nextBytes(data);
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            int fd = tcp(s);
            s.connect(fd, SockAddr.in("127.0.0.1", server.getLocalPort()));
            try (java.net.Socket peer = server.accept()) {
                Thread writer = new Thread(() -> {
                    try (OutputStream out = peer.getOutputStream()) {
                        for (int off = 0; off < data.length; off += 256 << 10) {
                            out.write(data, off, Math.min(256 << 10, data.length - off));
                        }
                    } catch (java.io.IOException e) {
                        // the assertion on the bytes received reports it
                    }
                });
                writer.start();
                int[] sizes = {1, 7, 1500, 65536, 200_000, 16 << 10};
                byte[] got = new byte[data.length + 1];
                int n = 0;
                for (int i = 0; ; i++) {
                    ByteBuffer b = ByteBuffer.wrap(got, n, Math.min(sizes[i % sizes.length], got.length - n));
                    int r = s.read(fd, b);
                    if (r == 0) {
                        break;
                    }
                    n += r;
                }
                writer.join();
                assertEquals(data.length, n, "every byte, then end of stream");
                assertArrayEquals(data, Arrays.copyOf(got, n));
                s.close(fd);
            }
        }
    }

    @Test
    void rawSocketsAreNotProvided(Kernel k) {
        ErrnoException e = assertThrows(ErrnoException.class,
                () -> k.syscalls().socket(SocketDefs.AF_INET, SocketDefs.SOCK_RAW, SocketDefs.IPPROTO_ICMP));
        assertEquals(Errno.EPROTONOSUPPORT, e.errno());
    }

    @Test
    void closedDescriptorsCloseTheirHostSockets(Kernel k) throws Exception {
        Syscalls s = k.syscalls();
        Sockin sockin = k.service(Sockin.class);
        int before = sockin.hostSockets();
        int a = tcp(s);
        int b = s.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
        assertEquals(before + 2, sockin.hostSockets());
        s.close(a);
        s.close(b);
        assertEquals(before, sockin.hostSockets());
    }
}
