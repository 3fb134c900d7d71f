package io.jrump.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the shell-level tests in {@code src/test/sh} with the real {@code bin/} programs (rump_server,
 * the rump.* tools, shmif_dumpbus), as NetBSD's atf shell tests run the installed ones. The programs
 * use this build's class path ({@code JRUMP_CLASSPATH}) instead of building the project again.
 */
class ShellIntegrationTest {
    private static final Path TOP = Path.of("").toAbsolutePath().getParent();

    private static void script(String name, Path dir) throws Exception {
        Path sh = TOP.resolve("tools/src/test/sh").resolve(name);
        ProcessBuilder pb = new ProcessBuilder("bash", sh.toString(), TOP.toString(), dir.toString())
                .redirectErrorStream(true);
        pb.environment().put("JRUMP_CLASSPATH", System.getProperty("java.class.path"));
        pb.environment().remove("RUMP_SERVER");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        boolean done = p.waitFor(300, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        System.out.println(out);
        assertTrue(done, name + " did not finish:\n" + out);
        assertEquals(0, p.exitValue(), name + " failed:\n" + out);
    }

    @Test
    void threeServersOnOneBusPingEveryPairAndTheBusReadsCleanInTshark(@TempDir Path dir) throws Exception {
        script("t_ping2.sh", dir);
        assertTrue(Files.exists(dir.resolve("bus.pcap")));
    }

    @Test
    void aFileCrossesTwoServersOverTcpWithRumpNcAndNetstatShowsTheConnection(@TempDir Path dir) throws Exception {
        script("t_nc_tcp.sh", dir);
    }
}
