package io.jrump.examples.httpd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.kern.HaltReport;
import io.jrump.testkit.NetNs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sample server ({@link RumpHttpd}, as {@code rump-httpd -t TAP} starts it) on a tap whose Linux side is
 * in a namespace the test makes, with Linux's own HTTP clients as the peers: {@code curl} (GET compared byte
 * for byte, HEAD, a range, a conditional request, a missing file, a path out of the document root),
 * {@code ab} (many requests, with and without keep-alive, none failed) and {@code wrk} (keep-alive load,
 * every answer 2xx, no socket errors). The kernel halts clean afterwards. Skipped with a message without
 * root, {@code /dev/net/tun}, {@code ip} or the client program.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RumpHttpdTapTest {
    static final String LINUX = "198.18.14.1";
    static final String RUMP = "198.18.14.2";
    static final String URL = "http://" + RUMP + "/";

    /** The sample server on a tap moved into a fresh namespace, serving {@code site}. */
    static final class Peer implements AutoCloseable {
        final NetNs ns;
        final RumpHttpd.Server server;

        Peer(Path site, Path tmp) throws Exception {
            NetNs n = NetNs.create("httpd");
            RumpHttpd.Server s = null;
            try {
                String tap = NetNs.tapName("jrh");
                RumpHttpd.Options o = RumpHttpd.parse(new String[] {"-t", tap, "-a", RUMP + "/24", "-D",
                    site.toString(), "unix://" + tmp.resolve("httpd.sock")});
                s = RumpHttpd.start(o, new PrintStream(new ByteArrayOutputStream()));
                n.adoptTap(tap, LINUX + "/24");
            } catch (Exception | Error e) {
                if (s != null) {
                    s.close();
                }
                n.close();
                throw e;
            }
            ns = n;
            server = s;
        }

        @Override
        public void close() {
            try {
                server.httpd().close();
                HaltReport r = server.kernel().halt();
                server.sysproxy().close();
                assertTrue(r.clean(), r.toString());
            } finally {
                ns.close();
            }
        }
    }

    static byte[] site(Path site) throws Exception {
        Files.createDirectories(site.resolve("docs"));
        Files.writeString(site.resolve("index.html"), "<h1>rump</h1>\n");
        Files.writeString(site.resolve("docs/a.txt"), "a text\n");
        byte[] big = new byte[3 << 20];
        new SplittableRandom(17).nextBytes(big);
        Files.write(site.resolve("big.bin"), big);
        Files.write(site.resolve("1k.bin"), Arrays.copyOf(big, 1024));
        return big;
    }

    static String ok(NetNs.Result r) {
        assertEquals(0, r.rc(), r.out());
        return r.out();
    }

    @Test
    void curlGetsHeadsRangesAndErrors(@TempDir Path site, @TempDir Path tmp) throws Exception {
        NetNs.assumeInstalled("curl");
        byte[] big = site(site);
        try (Peer p = new Peer(site, tmp)) {
            Path out = tmp.resolve("big.out");
            ok(p.ns.exec("curl", "-sS", "--fail", "--max-time", "60", "-o", out.toString(), URL + "big.bin"));
            assertArrayEquals(big, Files.readAllBytes(out));
            String head = ok(p.ns.exec("curl", "-sS", "-I", URL));
            assertTrue(head.startsWith("HTTP/1.1 200 OK\r\n"), head);
            assertTrue(head.contains("Content-Length: 14\r\n"), head);
            assertTrue(head.contains("Server: jrump-afpa\r\n"), head);
            ok(p.ns.exec("curl", "-sS", "--fail", "-r", "100-1123", "-o", out.toString(), URL + "big.bin"));
            assertArrayEquals(Arrays.copyOfRange(big, 100, 1124), Files.readAllBytes(out));
            // If-Modified-Since the file's own Last-Modified: 304
            Matcher lm = Pattern.compile("Last-Modified: ([^\r]+)\r").matcher(ok(p.ns.exec("curl", "-sS", "-I",
                    URL + "docs/a.txt")));
            assertTrue(lm.find());
            String code = ok(p.ns.exec("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-H",
                    "If-Modified-Since: " + lm.group(1), URL + "docs/a.txt"));
            assertEquals("304", code.trim());
            assertEquals("404", ok(p.ns.exec("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}",
                    URL + "missing")).trim());
            assertEquals("400", ok(p.ns.exec("curl", "-sS", "--path-as-is", "-o", "/dev/null", "-w", "%{http_code}",
                    URL + "docs/%2e%2e/%2e%2e/etc/passwd")).trim());
            assertEquals("405", ok(p.ns.exec("curl", "-sS", "-X", "POST", "-d", "x=1", "-o", "/dev/null", "-w",
                    "%{http_code}", URL)).trim());
            assertEquals("a text\n", ok(p.ns.exec("curl", "-sS", "--fail", URL + "docs/a.txt")));
        }
    }

    static final Pattern COMPLETE = Pattern.compile("Complete requests:\\s+(\\d+)");
    static final Pattern FAILED = Pattern.compile("Failed requests:\\s+(\\d+)");
    static final Pattern NON2XX = Pattern.compile("Non-2xx responses:\\s+(\\d+)");

    @Test
    void apacheBenchCompletesEveryRequestWithAndWithoutKeepAlive(@TempDir Path site, @TempDir Path tmp)
            throws Exception {
        NetNs.assumeInstalled("ab");
        site(site);
        try (Peer p = new Peer(site, tmp)) {
            for (String[] cmd : new String[][] {
                {"ab", "-q", "-n", "2000", "-c", "8", "-k", URL + "1k.bin"},
                {"ab", "-q", "-n", "500", "-c", "4", URL + "1k.bin"},
                {"ab", "-q", "-n", "100", "-c", "4", "-k", URL + "big.bin"}}) {
                String out = ok(p.ns.exec(cmd));
                Matcher c = COMPLETE.matcher(out);
                assertTrue(c.find(), out);
                assertEquals(cmd[3], c.group(1), out);
                Matcher f = FAILED.matcher(out);
                assertTrue(f.find(), out);
                assertEquals("0", f.group(1), out);
                assertTrue(!NON2XX.matcher(out).find(), out);
            }
        }
    }

    @Test
    void wrkSeesOnlySuccessfulAnswers(@TempDir Path site, @TempDir Path tmp) throws Exception {
        NetNs.assumeInstalled("wrk");
        site(site);
        try (Peer p = new Peer(site, tmp)) {
            String out = ok(p.ns.exec("wrk", "-t1", "-c16", "-d2s", URL + "1k.bin"));
            assertTrue(out.contains("Requests/sec:"), out);
            assertTrue(!out.contains("Non-2xx") && !out.contains("Socket errors"), out);
            Matcher m = Pattern.compile("(\\d+) requests in").matcher(out);
            assertTrue(m.find() && Long.parseLong(m.group(1)) > 0, out);
        }
    }
}
