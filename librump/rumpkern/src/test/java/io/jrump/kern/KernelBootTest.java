package io.jrump.kern;

import io.jrump.kern.mem.Pool;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.kern.sysctl.SysctlNode;
import static org.junit.jupiter.api.Assertions.*;

import io.jrump.hypercall.BufferConsole;
import io.jrump.hypercall.HostHypercall;
import io.jrump.hypercall.Hypercall;
import io.jrump.hypercall.ManualClock;
import io.jrump.kern.module.ComponentRegistry;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KernelBootTest {

    @Test
    void bareKernelBootsAnswersSyscallsAndHaltsClean() throws Exception {
        Kernel k = Kernels.boot();
        Syscalls sys = k.syscalls();
        assertEquals(1, sys.getpid());
        assertEquals(0, sys.getuid());
        assertEquals("NetBSD", sys.sysctlRead("kern.ostype"));
        assertEquals("t", sys.sysctlRead("kern.hostname"));
        assertEquals("1", sys.sysctlRead("hw.ncpu"));
        assertTrue(k.bootLog().get(k.bootLog().size() - 1).contains("rump kernel booted in"));
        HaltReport r = k.halt();
        assertTrue(r.clean(), r.toString());
        assertSame(r, k.halt(), "a second halt returns the first report");
    }

    @Test
    void hundredKernelsInOneJvmHaltWithNoThreadLeft() throws Exception {
        Hypercall shared = HostHypercall.builder().environment(Map.of()).build();
        List<Kernel> ks = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            ks.add(Kernel.boot(KernelConfig.builder().hypercall(shared).ncpu(2).hostname("k" + i).build()));
        }
        // Each kernel is its own world: a sysctl written in one is not seen in another.
        ks.get(3).sysctl().createInt("test.only.here", "", 5, SysctlNode.READWRITE, null);
        assertEquals("5", ks.get(3).syscalls().sysctlRead("test.only.here"));
        ErrnoException e = assertThrows(ErrnoException.class, () -> ks.get(4).syscalls().sysctlRead("test.only.here"));
        assertEquals(io.jrump.hypercall.Errno.ENOENT, e.errno());
        assertEquals("k42", ks.get(42).syscalls().sysctlRead("kern.hostname"));
        assertFalse(shared.threads().liveThreadNames().isEmpty());
        for (Kernel k : ks) {
            HaltReport r = k.halt();
            assertTrue(r.clean(), r.toString());
        }
        assertEquals(List.of(), shared.threads().liveThreadNames(), "every kernel thread ended");
    }

    @Test
    void hypercallVersionMismatchIsRefusedWithBothVersions() {
        Hypercall real = HostHypercall.create();
        Hypercall wrong = (Hypercall) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Hypercall.class},
                (proxy, m, args) -> {
                    if (m.getName().equals("version")) {
                        return 99;
                    }
                    try {
                        return m.invoke(real, args);
                    } catch (InvocationTargetException ex) {
                        throw ex.getCause();
                    }
                });
        BootException e = assertThrows(BootException.class,
                () -> Kernel.boot(KernelConfig.builder().hypercall(wrong).build()));
        assertTrue(e.getMessage().contains("rumpuser version 1") && e.getMessage().contains("version 99"),
                e.getMessage());
    }

    @Test
    void configComesFromRumpParametersWhenUnset() throws Exception {
        Hypercall hc = HostHypercall.builder().environment(Map.of("RUMP_NCPU", "3", "RUMP_MEMLIMIT", "2m"))
                .param("_RUMPUSER_HOSTNAME", "fromhost").build();
        Kernel k = Kernel.boot(KernelConfig.builder().hypercall(hc).build());
        try {
            assertEquals("3", k.syscalls().sysctlRead("hw.ncpu"));
            assertEquals(Long.toString(2 << 20), k.syscalls().sysctlRead("hw.physmem64"));
            assertEquals("fromhost", k.hostname());
        } finally {
            assertTrue(k.halt().clean());
        }
    }

    /**
     * A kernel reaches the host only through its hypercall layer: on a manual clock, the boot time, each
     * component's attach time and the halt time it reports are the manual clock's time, however long the
     * host took; and without a kernel memory limit, {@code hw.physmem64} is the memory the host offers.
     */
    @Test
    void aKernelOnAManualClockReportsTheManualClocksTimes() throws Exception {
        ManualClock clock = new ManualClock();
        Component slow = new Component() {
            @Override
            public String name() {
                return "test_slow";
            }

            @Override
            public ComponentLevel level() {
                return ComponentLevel.KERN;
            }

            @Override
            public void attach(Kernel k) {
                clock.advance(3_000_000L);
                k.onHalt(() -> clock.advance(2_000_000L));
            }
        };
        Kernel k = Kernel.boot(KernelConfig.builder().hostname("t").ncpu(1)
                .hypercall(HostHypercall.builder().environment(Map.of()).clock(clock).memoryLimit(5 << 20)
                        .console(new BufferConsole()).build())
                .registry(ComponentRegistry.of(List.of(slow))).component("test_slow").build());
        assertEquals(3_000_000L, k.bootNanos(), "boot took the 3 ms the component's attach moved the clock");
        List<String> log = k.bootLog();
        assertTrue(log.stream().anyMatch(l -> l.matches("attached test_slow +level KERN +3000 us")), log.toString());
        assertTrue(log.get(log.size() - 1).contains("rump kernel booted in 3000 us"), log.toString());
        assertEquals(Long.toString(5 << 20), k.syscalls().sysctlRead("hw.physmem64"));
        HaltReport r = k.halt();
        assertTrue(r.clean(), r.toString());
        assertEquals(2_000_000L, r.haltNanos(), "the halt took the 2 ms its hook moved the clock");
    }

    @Test
    void parseSizeAcceptsSuffixesAndRejectsNonsense() {
        assertEquals(64L << 20, KernelConfig.parseSize("64m"));
        assertEquals(512L << 10, KernelConfig.parseSize("512K"));
        assertEquals(1L << 30, KernelConfig.parseSize("1g"));
        assertEquals(1000, KernelConfig.parseSize("1000"));
        assertThrows(IllegalArgumentException.class, () -> KernelConfig.parseSize("lots"));
        assertThrows(IllegalArgumentException.class, () -> KernelConfig.parseSize("-5m"));
        assertThrows(IllegalArgumentException.class, () -> KernelConfig.parseSize(""));
    }

    @Test
    void haltReportNamesWhatWasLeftBehind() throws Exception {
        Kernel k = Kernels.boot();
        Pool<byte[]> p = k.createPool("leaky", 64, () -> new byte[64], null, 10);
        assertNotNull(p.get());
        HaltReport r = k.halt();
        assertFalse(r.clean());
        assertTrue(r.toString().contains("leaky (1)"), r.toString());
    }
}
