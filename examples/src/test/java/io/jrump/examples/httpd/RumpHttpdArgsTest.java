package io.jrump.examples.httpd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The sample server's command line: the components it links, and what a bad one is told. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RumpHttpdArgsTest {
    @Test
    void theServerLinksOnlyWhatItNeeds(@TempDir Path dir) {
        RumpHttpd.Options o = RumpHttpd.parse(new String[] {"-b", dir.resolve("bus").toString(), "-D", dir.toString(),
            "unix://" + dir.resolve("httpd.sock")});
        assertEquals(List.of("rumpvfs", "rumpnet", "rumpnet_net", "rumpnet_netinet", "rumpnet_afpa", "rumpnet_shmif"),
                RumpHttpd.components(o));
        RumpHttpd.Options t = RumpHttpd.parse(new String[] {"-t", "tap0", "-D", dir.toString(), "unix://x"});
        assertEquals("rumpnet_virtif", RumpHttpd.components(t).get(5));
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
