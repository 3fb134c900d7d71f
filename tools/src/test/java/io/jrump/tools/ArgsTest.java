package io.jrump.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The command-line values every rump.* program reads, and the one-line message for a bad one. */
class ArgsTest {
    @Test
    void addressesAreDottedQuads() throws Exception {
        assertEquals(0xc6120001, Args.addr("198.18.0.1"));
        assertEquals(0, Args.addr("0.0.0.0"));
        assertEquals(-1, Args.addr("255.255.255.255"));
        for (String bad : new String[] {"198.18.0", "198.18.0.256", "198.018.0.1", "::1", "localhost", ""}) {
            assertNull(Args.ipv4(bad), bad);
            Tool.UsageException e = assertThrows(Tool.UsageException.class, () -> Args.addr(bad));
            assertEquals("bad address '" + bad + "'", e.getMessage());
        }
    }

    @Test
    void numbersAreDecimalAndInRange() throws Exception {
        assertEquals(1500, Args.number("1500", "mtu", 0, 65535));
        assertEquals("mtu must be a number, not 'x'",
                assertThrows(Tool.UsageException.class, () -> Args.number("x", "mtu", 0, 65535)).getMessage());
        assertEquals("mtu must be 0..65535, not 70000",
                assertThrows(Tool.UsageException.class, () -> Args.number("70000", "mtu", 0, 65535)).getMessage());
        assertEquals(0xffffff00, Args.netmask(24));
        assertEquals(0, Args.netmask(0));
    }

    @Test
    void flagsAndCommandsAreCheckedWithOneLine() throws Exception {
        assertEquals(2, Args.command(new String[] {"-n", "-n", "show"}));
        assertEquals("no command", assertThrows(Tool.UsageException.class, () -> Args.command(new String[] {"-n"})).getMessage());
        Args.onlyFlags(new String[] {"-n"}, "-n", "-4");
        assertEquals("unknown flag -x",
                assertThrows(Tool.UsageException.class, () -> Args.onlyFlags(new String[] {"-x"}, "-n")).getMessage());
        assertEquals("'-c' needs a value",
                assertThrows(Tool.UsageException.class, () -> Args.arg(new String[] {"-c"}, 1, "-c")).getMessage());
    }
}
