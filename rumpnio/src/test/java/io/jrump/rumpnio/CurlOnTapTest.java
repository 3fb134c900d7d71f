package io.jrump.rumpnio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.hypercall.BufferConsole;
import io.jrump.hypercall.HostHypercall;
import io.jrump.kern.Cred;
import io.jrump.kern.HaltReport;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.net.IfIoctl;
import io.jrump.net.IfReq;
import io.jrump.net.Interfaces;
import io.jrump.sysproxy.RumpServer;
import io.jrump.testkit.NetNs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Linux {@code curl} against the JDK's HttpServer on a rump kernel: the server is the unmodified
 * {@link FileServerProgram} in a JVM of its own, on the provider chosen by system properties, using a kernel of
 * this JVM through {@code RUMP_SERVER}; the kernel's {@code virt0} is a tap whose Linux side is in a network
 * namespace made for the test, where curl runs. Needs root, {@code /dev/net/tun}, {@code ip} and {@code curl};
 * skips with the reason otherwise.
 */
class CurlOnTapTest {
    private static final String LINUX = "198.18.9.1";
    private static final String RUMP = "198.18.9.2";

    @Test
    void curlFetchesFilesFromHttpServerOnTheRumpStack(@TempDir Path dir) throws Exception {
        NetNs.assumeInstalled("curl");
        Random rnd = new Random(9);
        byte[] big = new byte[2_000_000];
        rnd.nextBytes(big);
        Files.write(dir.resolve("big.bin"), big);
        Files.writeString(dir.resolve("hello.txt"), "hello from a rump kernel\n");
        try (NetNs ns = NetNs.create("nio")) {
            Kernel k = Kernel.boot(KernelConfig.builder().hostname("rump").ncpu(2)
                    .hypercall(HostHypercall.builder().environment(Map.of()).console(new BufferConsole()).build())
                    .component("rumpnet_netinet", "rumpnet_virtif").build());
            RumpServer rs = null;
            try {
                Interfaces ifs = k.service(Interfaces.class);
                String tap = NetNs.tapName("jrn");
                ifs.create("virt0");
                IfReq r = new IfReq("virt0");
                r.linkstr = tap;
                ifs.ioctl(IfIoctl.SIOCSLINKSTR, r, Cred.ROOT);
                ns.adoptTap(tap, LINUX + "/24");
                HubNet.configure(k, "virt0", RUMP);
                String url = "unix://" + dir.resolve("rumpsock");
                rs = RumpServer.start(k, url);
                try (ChildJvm server = new ChildJvm(List.of("-Djava.nio.channels.spi.SelectorProvider="
                        + RumpSelectorProvider.class.getName(), "-Drumpnio.server=" + url), FileServerProgram.class,
                        dir.toString(), "8080")) {
                    server.awaitLine(l -> l.startsWith("serving"));
                    NetNs.Result small = ns.check("curl", "-sS", "--max-time", "60", "http://" + RUMP + ":8080/hello.txt");
                    assertEquals("hello from a rump kernel\n", small.out());
                    Path out = dir.resolve("fetched.bin");
                    ns.check("curl", "-sS", "--max-time", "60", "-o", out.toString(), "http://" + RUMP + ":8080/big.bin");
                    assertArrayEquals(big, Files.readAllBytes(out));
                    NetNs.Result missing = ns.exec("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time",
                            "60", "http://" + RUMP + ":8080/none");
                    assertEquals("404", missing.out().trim());
                    server.closeInput();
                    assertEquals(0, server.waitFor(), () -> String.join("\n", server.lines()));
                }
            } finally {
                if (rs != null) {
                    rs.close();
                }
                HaltReport h = k.halt();
                assertTrue(h.clean(), h::toString);
            }
        }
    }
}
