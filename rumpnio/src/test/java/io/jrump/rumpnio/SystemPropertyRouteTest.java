package io.jrump.rumpnio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.kern.Kernel;
import io.jrump.sysproxy.RumpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unmodified JDK programs moved onto rump kernels by JVM flags alone:
 * {@code -Djava.nio.channels.spi.SelectorProvider=io.jrump.rumpnio.RumpSelectorProvider} plus which
 * kernel. Each program runs in a JVM of its own, since the JVM-wide provider is chosen once.
 */
class SystemPropertyRouteTest {
    private static final String PROVIDER = "-Djava.nio.channels.spi.SelectorProvider="
            + RumpSelectorProvider.class.getName();

    /**
     * The JDK's HttpServer, in another JVM, serving files from a kernel in this one that it reaches through
     * {@code RUMP_SERVER} ({@code -Drumpnio.server}); a client on a second kernel fetches them across the hub.
     */
    @Test
    void httpServerInAnotherJvmServesFilesToAClientKernel(@TempDir Path dir) throws Exception {
        Random rnd = new Random(15);
        byte[] big = new byte[700_000];
        rnd.nextBytes(big);
        Files.write(dir.resolve("big.bin"), big);
        Files.writeString(dir.resolve("index.html"), "<h1>served by a rump kernel</h1>\n");
        try (HubNet net = new HubNet()) {
            Kernel serverKernel = net.boot();
            RumpSelectorProvider client = RumpSelectorProvider.of(net.boot());
            String url = "unix://" + dir.resolve("rumpsock");
            RumpServer rs = RumpServer.start(serverKernel, url);
            try (ChildJvm child = new ChildJvm(List.of(PROVIDER, "-Drumpnio.server=" + url),
                    FileServerProgram.class, dir.toString(), "8080")) {
                String serving = child.awaitLine(l -> l.startsWith("serving"));
                assertTrue(serving.contains("RumpSelectorProvider"), serving);
                assertEquals("<h1>served by a rump kernel</h1>\n",
                        new String(get(client, "/index.html"), StandardCharsets.UTF_8));
                assertArrayEquals(big, get(client, "/big.bin"));
                assertTrue(new String(get(client, "/missing"), StandardCharsets.UTF_8).isEmpty());
                // the JDK's HttpClient, in a third JVM on the same remote kernel, fetches from it over 127.0.0.1
                try (ChildJvm fetcher = new ChildJvm(List.of(PROVIDER, "-Drumpnio.server=" + url),
                        HttpRoundTripProgram.class, "http://127.0.0.1:8080/big.bin")) {
                    assertEquals(0, fetcher.waitFor(), () -> String.join("\n", fetcher.lines()));
                    assertTrue(fetcher.lines().contains("status 200 length " + big.length + " hash "
                            + Arrays.hashCode(big)), () -> String.join("\n", fetcher.lines()));
                }
                child.closeInput();
                assertEquals(0, child.waitFor(), () -> String.join("\n", child.lines()));
            } finally {
                rs.close();
            }
        }
    }

    /** GET {@code path} from 198.18.0.1:8080 over a rump channel; the body, empty unless 200. */
    private static byte[] get(RumpSelectorProvider p, String path) throws IOException {
        try (SocketChannel ch = p.openSocketChannel()) {
            ch.connect(new InetSocketAddress("198.18.0.1", 8080));
            ch.write(ByteBuffer.wrap(("GET " + path + " HTTP/1.1\r\nHost: 198.18.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer all = ByteBuffer.allocate(2 << 20);
            while (ch.read(all) >= 0) {
                if (!all.hasRemaining()) {
                    throw new IOException("response too long");
                }
            }
            byte[] r = Arrays.copyOf(all.array(), all.position());
            String text = new String(r, StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            if (!text.startsWith("HTTP/1.1 200")) {
                return new byte[0];
            }
            return Arrays.copyOfRange(r, end + 4, r.length);
        }
    }

    /** The JDK's HttpServer and HttpClient in one JVM on a kernel it boots from {@code -Drumpnio.kernel}. */
    @Test
    void httpClientFetchesFromHttpServerOnAnInProcessKernel() throws Exception {
        try (ChildJvm child = new ChildJvm(List.of(PROVIDER, "-Drumpnio.kernel=-c 2 -lrumpnet_netinet"),
                HttpRoundTripProgram.class)) {
            assertEquals(0, child.waitFor(), () -> String.join("\n", child.lines()));
            List<String> out = child.lines();
            assertTrue(out.contains("provider " + RumpSelectorProvider.class.getName()), out::toString);
            assertEquals(3, out.stream().filter("status 200 same true"::equals).count(), out::toString);
        }
    }

    /** Without a kernel named, the first channel says what to set. */
    @Test
    void noKernelChosenSaysWhatToSet() throws Exception {
        RumpSelectorProvider p = new RumpSelectorProvider();
        if (System.getProperty(RumpSelectorProvider.KERNEL_PROPERTY) == null
                && System.getProperty(RumpSelectorProvider.SERVER_PROPERTY) == null
                && System.getenv(RumpSelectorProvider.KERNEL_ENV) == null && System.getenv("RUMP_SERVER") == null) {
            IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, p::openSocketChannel);
            assertTrue(e.getMessage().contains(RumpSelectorProvider.KERNEL_PROPERTY), e.getMessage());
        }
    }
}
