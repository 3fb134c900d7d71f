package io.jrump.examples.httpd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.hypercall.HostHypercall;
import io.jrump.kern.HaltReport;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sample server as {@code bin/rump-demo} runs it, without root: {@link RumpHttpd} on a shmif bus file
 * serving a host directory, and a second kernel on the same bus fetching with {@link RumpFetch}'s client.
 * The first fetch of a page is a miss of the accelerator, the second a hit; a POST is passed on to the
 * user-level server, which answers 405; both kernels halt clean.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RumpHttpdBusTest {
    @Test
    void aSecondKernelOnTheBusFetchesMissesThenHitsAndAPostIsPassedOn(@TempDir Path dir) throws Exception {
        Path site = Files.createDirectories(dir.resolve("site"));
        Files.writeString(site.resolve("index.html"), "<h1>rump</h1>\n");
        Path bus = dir.resolve("bus");
        RumpHttpd.Options o = RumpHttpd.parse(new String[] {"-b", bus.toString(), "-D", site.toString(),
            "unix://" + dir.resolve("httpd.sock")});
        assertEquals(List.of("rumpvfs", "rumpnet", "rumpnet_net", "rumpnet_netinet", "rumpnet_afpa", "rumpnet_shmif"),
                RumpHttpd.components(o));
        RumpHttpd.Server s = RumpHttpd.start(o, new PrintStream(new ByteArrayOutputStream()));
        Kernel client = Kernel.boot(KernelConfig.builder().hostname("client").ncpu(1)
                .hypercall(HostHypercall.builder().environment(Map.of()).build())
                .component("rumpnet_netinet", "rumpnet_shmif").build());
        try {
            RumpHttpd.Options c = RumpHttpd.parse(new String[] {"-b", bus.toString(), "-a", "198.18.0.2/24",
                "unix://unused"});
            RumpHttpd.configureInterface(client, c);
            try (RumpFetch.Fetcher f = new RumpFetch.Fetcher(client.syscalls())) {
                URI u = URI.create("http://198.18.0.1/");
                RumpFetch.Response first = f.fetch(u, "GET", List.of());
                RumpFetch.Response second = f.fetch(u, "GET", List.of());
                assertEquals(200, first.status());
                assertArrayEquals("<h1>rump</h1>\n".getBytes(StandardCharsets.US_ASCII), second.body());
                assertTrue(second.reused(), "keep-alive");
                assertEquals(405, f.fetch(u, "POST", List.of("Content-Length: 0")).status());
            }
            assertEquals("1", s.kernel().syscalls().sysctlRead("net.afpa.stats.misses").trim());
            assertEquals("1", s.kernel().syscalls().sysctlRead("net.afpa.stats.hits").trim());
            assertEquals("1", s.kernel().syscalls().sysctlRead("net.afpa.stats.requests_passed_user_level").trim());
            assertEquals(1, s.httpd().requests());
        } finally {
            HaltReport rc = client.halt();
            s.httpd().close();
            HaltReport rs = s.kernel().halt();
            s.sysproxy().close();
            assertTrue(rc.clean(), rc.toString());
            assertTrue(rs.clean(), rs.toString());
        }
    }

    @Test
    void badCommandLinesSayWhatIsWrong(@TempDir Path dir) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RumpHttpd.parse(new String[] {"unix://x"}));
        assertTrue(e.getMessage().contains("-b BUSFILE"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> RumpHttpd.parse(new String[] {"-b", "bus", "-m", "fast", "-D", dir.toString(), "unix://x"}));
        assertTrue(e.getMessage().contains("hook or tdi"), e.getMessage());
    }
}
