package io.jrump.kern.syscall;

import static org.junit.jupiter.api.Assertions.*;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.hypercall.HostHypercall;
import io.jrump.kern.KernelConfig;
import java.util.Map;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The table as a component establishes it: rows filled at attach, the rest reported and answered ENOSYS. */
class SyscallTableTest {
    private static Kernel boot() throws Exception {
        return Kernel.boot(KernelConfig.builder().hypercall(HostHypercall.builder().environment(Map.of()).build())
                .build());
    }

    @Test
    void aKernelWithoutNetworkingReportsTheSocketRowsUnestablished() throws Exception {
        Kernel k = boot();
        try {
            unestablished(k);
        } finally {
            k.halt();
        }
    }

    private static void unestablished(Kernel k) {
        List<String> missing = k.syscallTable().unfilled().stream().map(SyscallRow::name).toList();
        // this kernel links neither networking nor the VFS: their rows are the unestablished ones
        List<String> net = SyscallRow.all().stream().filter(r -> !r.component().equals("rumpkern"))
                .map(SyscallRow::name).toList();
        assertEquals(net, missing);
        String report = k.bootLog().stream().filter(l -> l.startsWith("syscalls: ")).findFirst().orElseThrow();
        assertTrue(report.startsWith("syscalls: " + (SyscallRow.all().size() - net.size()) + " of "
                + SyscallRow.all().size() + " rows established; ENOSYS: rumpnet ["), report);
        ErrnoException e = assertThrows(ErrnoException.class,
                () -> k.syscalls().socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0));
        assertEquals(Errno.ENOSYS, e.errno());
    }

    @Test
    void aHandlerMustCarryItsRowsNameAndComponent() {
        SyscallTable t = new SyscallTable();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> t.register(SyscallNumbers.SYS_bind, "bind", "rumpvfs", (l, a) -> 0));
        assertTrue(e.getMessage().contains("bind of rumpnet"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> t.register(SyscallNumbers.SYS_bind, "connect", "rumpnet",
                (l, a) -> 0));
        t.register(SyscallNumbers.SYS_bind, "bind", "rumpnet", (l, a) -> 7);
        assertEquals(List.of(), t.unfilled().stream().filter(r -> r.name().equals("bind")).toList());
        t.register(510, "a_module_call", "some_module", (l, a) -> 0);
        assertEquals("a_module_call", t.entry(510).name(), "a number without a row is taken as given");
    }
}
