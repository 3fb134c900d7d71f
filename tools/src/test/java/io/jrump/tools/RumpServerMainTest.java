package io.jrump.tools;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
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

    @Test
    void attachedFlagsAreSplitLikeNetbsds() {
        assertArrayEquals(new String[] {"-l", "rumpnet_netinet", "-c", "2", "unix://s"},
                RumpServerMain.splitAttached(new String[] {"-lrumpnet_netinet", "-c2", "unix://s"}));
    }
}
