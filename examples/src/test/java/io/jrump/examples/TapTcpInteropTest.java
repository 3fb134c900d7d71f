package io.jrump.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.examples.httpd.UserHttpd;
import io.jrump.kern.HaltReport;
import io.jrump.kern.Kernel;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.testkit.NetNs;
import io.jrump.testkit.Probes;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * TCP between Linux and a rump kernel through a tap in a namespace the test makes (issue 7): Linux
 * {@code socat} to the sample discard and echo services and from the rump kernel's TCP client, 50 MB
 * each way compared by sha256; Linux {@code curl} downloading 10 MB from {@link io.jrump.examples.httpd.UserHttpd}; and,
 * through the link emulator (5% loss, 5 ms delay, 10% reordering each way), the 50 MB echo, in which
 * both stacks send and recover on one connection at once, and the curl download, so that Linux's loss
 * recovery runs against the rump kernel's. (The emulated path moves about half a megabyte a second
 * each way, so the lossy run leaves out the transfers that would only repeat the echo's two directions.)
 * The tap's checksum and segmentation offload is on (the default) except in the lossy run, where the link
 * emulator turns it off, and in one more run of the 50 MB transfers that turns it off ({@code -tso4}).
 *
 * <p>Skipped with a message without root, /dev/net/tun, ip, socat or curl.
 */
class TapTcpInteropTest {
    static final String LINUX = "198.18.9.1";
    static final String RUMP = "198.18.9.2";
    static final int BULK = Integer.getInteger("tap.tcp.bulk", 50 << 20);
    static final String LOSSY = "loss=5%,delay=5ms,reorder=10%,in.loss=5%,in.delay=5ms,in.reorder=10%,seed=1";

    /** A rump kernel on a tap moved into a fresh namespace; closing halts it (clean) and deletes the namespace. */
    static final class Peer implements AutoCloseable {
        final NetNs ns;
        final Kernel kernel;

        Peer(String emulator) throws Exception {
            NetNs n = NetNs.create("tcp");
            Kernel k = null;
            try {
                k = TapServer.boot("rump");
                String tap = NetNs.tapName("jrc");
                TapServer.attach(k, tap, emulator, RUMP + "/24");
                n.adoptTap(tap, LINUX + "/24");
            } catch (Exception | Error e) {
                if (k != null) {
                    k.halt();
                }
                n.close();
                throw e;
            }
            ns = n;
            kernel = k;
        }

        @Override
        public void close() {
            try {
                HaltReport r = kernel.halt();
                assertTrue(r.clean(), r.toString());
            } finally {
                ns.close();
            }
        }
    }

    static byte[] data(int size, long seed) {
        byte[] b = new byte[size];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    static String sha256(Path p) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(p)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static void ok(NetNs.Result r) {
        assertEquals(0, r.rc(), r.out());
    }

    /**
     * Linux sends 50 MB to the echo service and gets the same 50 MB back, so both stacks send and
     * recover at once on one connection; with {@code discard}, a second 50 MB goes to the discard service.
     */
    static void linuxToRumpServices(Peer p, Path dir, boolean discard) throws Exception {
        Path in = dir.resolve("in.bin");
        Path out = dir.resolve("out.bin");
        Files.write(in, data(BULK, 1));
        try (StreamServices s = StreamServices.start(p.kernel.syscalls(), 9, 7)) {
            ok(p.ns.exec("socat", "-t", "60", "-b", "65536", "OPEN:" + in + "!!OPEN:" + out + ",creat,trunc",
                    "TCP4:" + RUMP + ":7"));
            assertEquals(sha256(in), sha256(out), "the echo came back byte for byte");
            if (discard) {
                ok(p.ns.exec("socat", "-u", "-b", "65536", "OPEN:" + in, "TCP4:" + RUMP + ":9"));
            }
        }
    }

    /** The rump kernel's TCP client sends 50 MB to a Linux socat listener and downloads 50 MB from another. */
    static void rumpClientToLinux(Peer p, Path dir) throws Exception {
        Syscalls sys = p.kernel.syscalls();
        byte[] up = data(BULK, 2);
        Path got = dir.resolve("got.bin");
        Process sink = p.ns.spawn("socat", "-u", "TCP4-LISTEN:5001,reuseaddr", "OPEN:" + got + ",creat,trunc");
        int c = connect(p, 5001);
        ByteBuffer b = ByteBuffer.wrap(up);
        while (b.hasRemaining()) {
            sys.write(c, b);
        }
        sys.close(c);
        assertTrue(sink.waitFor(120, TimeUnit.SECONDS), "socat got the FIN");
        assertEquals(sha256(up), sha256(got), "Linux received the rump kernel's 50 MB byte for byte");

        Path src = dir.resolve("down.bin");
        Files.write(src, data(BULK, 3));
        p.ns.spawn("socat", "-u", "OPEN:" + src, "TCP4-LISTEN:5002,reuseaddr");
        c = connect(p, 5002);
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        ByteBuffer in = ByteBuffer.allocate(1 << 16);
        long total = 0;
        for (int n; (n = sys.read(c, in.clear())) > 0; ) {
            md.update(in.array(), 0, n);
            total += n;
        }
        sys.close(c);
        assertEquals(BULK, total);
        assertEquals(sha256(src), HexFormat.of().formatHex(md.digest()), "the download arrived byte for byte");
    }

    /** Connects to a Linux listener on {@code port} in the peer's namespace, once Linux lists it as listening. */
    static int connect(Peer p, int port) throws Exception {
        Probes.await("a Linux listener on port " + port, () -> p.ns.listening(port));
        Syscalls sys = p.kernel.syscalls();
        int c = sys.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
        sys.connect(c, SockAddr.in(LINUX, port));
        return c;
    }

    /** Linux curl downloads /10m.bin from the user-level HTTP server on rump sockets. */
    static void curlDownload(Peer p, Path dir) throws Exception {
        byte[] obj = TapServer.object();
        TapServer.writeFile(p.kernel.syscalls(), "/www/10m.bin", obj);
        try (UserHttpd h = UserHttpd.start(p.kernel.syscalls(), 80, "/www")) {
            Path out = dir.resolve("curl.bin");
            ok(p.ns.exec("curl", "-sS", "--fail", "--max-time", "120", "-o", out.toString(),
                    "http://" + RUMP + "/10m.bin"));
            assertEquals(sha256(obj), sha256(out));
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void fiftyMegabytesEachWayBetweenLinuxSocatAndTheRumpKernel(@TempDir Path dir) throws Exception {
        NetNs.assumeInstalled("socat");
        try (Peer p = new Peer("")) {
            linuxToRumpServices(p, dir, true);
            rumpClientToLinux(p, dir);
        }
    }

    /** The same transfers with the tap's checksum and segmentation offload off: every frame at most the MTU. */
    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void fiftyMegabytesEachWayWithoutOffload(@TempDir Path dir) throws Exception {
        NetNs.assumeInstalled("socat");
        try (Peer p = new Peer("-tso4")) {
            linuxToRumpServices(p, dir, true);
            rumpClientToLinux(p, dir);
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void curlDownloadsTenMegabytesFromAServerOnRumpSockets(@TempDir Path dir) throws Exception {
        NetNs.assumeInstalled("curl");
        try (Peer p = new Peer("")) {
            curlDownload(p, dir);
        }
    }

    @Test
    @Timeout(value = 480, unit = TimeUnit.SECONDS)
    void theTransfersSurviveALossyReorderingLink(@TempDir Path dir) throws Exception {
        NetNs.assumeInstalled("socat", "curl");
        try (Peer p = new Peer(LOSSY)) {
            linuxToRumpServices(p, dir, false);
            curlDownload(p, dir);
        }
    }
}
