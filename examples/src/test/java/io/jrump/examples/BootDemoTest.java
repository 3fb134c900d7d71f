package io.jrump.examples;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

class BootDemoTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return BootDemo.run(args, new PrintStream(out, true), new PrintStream(err, true));
    }

    @Test
    void bootsShowsTheSysctlTreeAndHaltsClean() {
        assertEquals(0, run("-c", "2", "-r", "16m"));
        String s = out.toString();
        assertTrue(s.contains("rump-demo booted in"), s);
        assertTrue(s.contains("hw.ncpu = 2"), s);
        assertTrue(s.contains("hw.physmem64 = 16777216"), s);
        assertTrue(s.contains("kern.ostype = NetBSD"), s);
        assertTrue(s.contains("halted cleanly"), s);
    }

    @Test
    void badFlagAndUnknownComponentGiveOneClearLine() {
        assertEquals(1, run("-x"));
        assertTrue(err.toString().startsWith("rump-demo: unknown flag '-x'"), err.toString());
        err.reset();
        assertEquals(1, run("-l", "rumpnet_nonesuch"));
        assertTrue(err.toString().startsWith("rump-demo: boot failed: unknown component 'rumpnet_nonesuch'"),
                err.toString());
        err.reset();
        assertEquals(1, run("-r", "lots"));
        assertTrue(err.toString().contains("not a size"), err.toString());
    }
}
