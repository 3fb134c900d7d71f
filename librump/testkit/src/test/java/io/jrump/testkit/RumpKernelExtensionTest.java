package io.jrump.testkit;

import static org.junit.jupiter.api.Assertions.*;

import io.jrump.hypercall.ManualClock;
import io.jrump.kern.intr.Callout;
import io.jrump.kern.Kernel;
import io.jrump.kern.syscall.Syscalls;
import org.junit.jupiter.api.Test;

@RumpKernel(hostname = "kit", ncpu = 2)
class RumpKernelExtensionTest {

    @Test
    void aKernelIsBootedForTheTest(Kernel k, Syscalls sys) throws Exception {
        assertEquals("kit", sys.sysctlRead("kern.hostname"));
        assertEquals("2", sys.sysctlRead("hw.ncpu"));
        assertSame(k.syscalls(), sys);
    }

    @Test
    @RumpKernel(manualClock = true, memoryLimit = "1m")
    void methodSettingsWinAndTheClockIsManual(Kernel k, ManualClock clock) throws Exception {
        assertEquals("1", k.syscalls().sysctlRead("hw.ncpu"));
        assertEquals(Long.toString(1 << 20), k.syscalls().sysctlRead("hw.physmem64"));
        boolean[] fired = {false};
        Callout c = k.callouts().create("t", () -> fired[0] = true);
        c.schedule(100);
        clock.advance(999_000_000L);
        assertFalse(fired[0]);
        clock.advance(1_000_000L);
        assertTrue(fired[0]);
    }
}
