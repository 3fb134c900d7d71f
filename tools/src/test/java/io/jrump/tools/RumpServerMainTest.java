package io.jrump.tools;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;
import io.jrump.kern.Kernel;
import io.jrump.kern.module.ComponentRegistry;
import org.junit.jupiter.api.Test;

/** rump_server's command line: every mistake is one clear line and a non-zero exit. */
class RumpServerMainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        out.reset();
        err.reset();
        return RumpServerMain.run(args, new PrintStream(out, true), new PrintStream(err, true));
    }

    private String firstErrLine() {
        return err.toString().lines().findFirst().orElse("");
    }

    @Test
    void badCommandLinesFailWithOneClearLine() {
        assertEquals(1, run("-x", "unix:///tmp/x"));
        assertEquals("rump_server: unknown flag -x", firstErrLine());
        assertEquals(1, run("-lrumpnet_netinet"));
        assertEquals("rump_server: no URL (unix://PATH or tcp://ADDR:PORT)", firstErrLine());
        assertEquals(1, run("-l", "rumpnet_nonesuch", "unix:///tmp/x"));
        assertTrue(firstErrLine().startsWith("rump_server: boot failed: unknown component 'rumpnet_nonesuch'"), err.toString());
        assertEquals(1, run("-r", "lots", "unix:///tmp/x"));
        assertTrue(firstErrLine().contains("not a size"), err.toString());
        assertEquals(1, run("-d", "key=/img,hostpath=/tmp/img,colour=red", "unix:///tmp/x"));
        assertTrue(firstErrLine().startsWith("rump_server: -d key=/img,hostpath=/tmp/img,colour=red: unknown parameter"),
                err.toString());
        assertEquals(1, run("-lrumpnet_netinet", "-m", "rumpnet_nonesuch", "unix:///tmp/x"));
        assertTrue(firstErrLine().startsWith("rump_server: module rumpnet_nonesuch:"), err.toString());
        assertEquals(1, run("-lrumpnet_netinet", "bogus://where"));
        assertTrue(firstErrLine().startsWith("rump_server: cannot serve bogus://where"), err.toString());
    }

    /**
     * rump_server is the project's rump_allserver: every component that the class path links boots from a
     * command line that names it alone with {@code -l}, and {@code -h} lists each with its description.
     */
    @Test
    void everyLinkedComponentIsListedByHelpAndBootsFromItsLFlag() throws Exception {
        ComponentRegistry reg = ComponentRegistry.load();
        assertTrue(reg.names().containsAll(Set.of("rumpnet", "rumpnet_net", "rumpnet_netinet", "rumpnet_sockin",
                "rumpnet_shmif", "rumpnet_virtif")), reg.names().toString());
        assertEquals(0, run("-h"));
        List<String> help = out.toString().lines().toList();
        assertEquals(RumpServerMain.USAGE, help.get(0));
        for (String name : reg.names()) {
            String line = help.stream().filter(l -> l.startsWith("  " + name + " ")).findFirst()
                    .orElseThrow(() -> new AssertionError(name + " is not listed by -h:\n" + out));
            assertTrue(line.contains(reg.get(name).description()), line);
            err.reset();
            Kernel k = RumpServerMain.boot(RumpServerMain.parse(new String[] {"-l" + name, "unix:///unused"}),
                    new PrintStream(err, true));
            assertNotNull(k, "-l" + name + ": " + err);
            try {
                assertTrue(k.modules().isAttached(name), name + " is not attached");
            } finally {
                k.halt();
            }
        }
        assertTrue(help.stream().anyMatch(l -> l.startsWith("  rumpnet_sockin ") && l.endsWith("(not with rumpnet_netinet)")),
                out.toString());
    }

    @Test
    void sockinAndNetinetTogetherAreRefusedNamingBoth() {
        assertEquals(1, run("-lrumpnet_sockin", "-lrumpnet_netinet", "unix:///unused"));
        assertTrue(firstErrLine().startsWith("rump_server: boot failed: components 'rumpnet_netinet' and 'rumpnet_sockin'"),
                err.toString());
    }

    @Test
    void attachedFlagsAreSplitLikeNetbsds() {
        assertArrayEquals(new String[] {"-l", "rumpnet_netinet", "-c", "2", "unix://s"},
                RumpServerMain.splitAttached(new String[] {"-lrumpnet_netinet", "-c2", "unix://s"}));
    }
}
