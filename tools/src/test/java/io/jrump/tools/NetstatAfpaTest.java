package io.jrump.tools;

import static org.junit.jupiter.api.Assertions.*;

import io.jrump.hypercall.BufferConsole;
import io.jrump.hypercall.HostHypercall;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.kern.syscall.Syscalls;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code rump.modload rumpnet_afpa} on a kernel that has only netinet and rumpvfs, its counters in
 * {@code rump.netstat -s -p afpa} and among the protocols of {@code -s}, its settings in
 * {@code rump.sysctl}, and {@code rump.modunload} taking all of it away again.
 */
class NetstatAfpaTest {
    @Test
    void theAcceleratorLoadsShowsItsCountersAndUnloads() throws Exception {
        Kernel k = Kernel.boot(KernelConfig.builder().hostname("w").ncpu(1).component("rumpnet_netinet", "rumpvfs")
                .hypercall(HostHypercall.builder().environment(Map.of()).console(new BufferConsole()).build()).build());
        try {
            Syscalls sys = k.syscalls();
            assertEquals("", new TcpNet.Run(new Netstat(), sys, "-s", "-p", "afpa").ok().out,
                    "no accelerator, no afpa section");
            new TcpNet.Run(new Modtools.Modload(), sys, "rumpnet_afpa").ok();
            String afpa = new TcpNet.Run(new Netstat(), sys, "-s", "-p", "afpa").ok().out;
            assertTrue(afpa.startsWith("afpa:\n\t0 hits\n\t0 misses\n\t0 requests passed to user level\n"), afpa);
            assertTrue(afpa.contains("\t0 frames copied because still in flight\n"), afpa);
            assertTrue(afpa.contains("\t0 cache memory in use\n\t0 evictions\n"), afpa);
            String all = new TcpNet.Run(new Netstat(), sys, "-s").ok().out;
            assertTrue(all.contains("\nafpa:\n\t0 hits\n"), all);
            assertTrue(all.startsWith("tcp:\n"), all);

            new TcpNet.Run(new SysctlTool(), sys, "-w", "net.afpa.port=8080").ok();
            assertEquals("net.afpa.port = 8080\n", new TcpNet.Run(new SysctlTool(), sys, "net.afpa.port").ok().out);
            assertEquals(1, new TcpNet.Run(new SysctlTool(), sys, "-w", "net.afpa.mode=fast").status);
            assertEquals(1, new TcpNet.Run(new SysctlTool(), sys, "-w", "net.afpa.docroot=/var/../etc").status);
            new TcpNet.Run(new SysctlTool(), sys, "-w", "net.afpa.mode=tdi").ok();

            new TcpNet.Run(new Modtools.Modunload(), sys, "rumpnet_afpa").ok();
            assertEquals("", new TcpNet.Run(new Netstat(), sys, "-s", "-p", "afpa").ok().out);
            assertEquals(1, new TcpNet.Run(new SysctlTool(), sys, "net.afpa.port").status, "net.afpa is gone");
            new TcpNet.Run(new Modtools.Modload(), sys, "rumpnet_afpa").ok();
            assertEquals("net.afpa.port = 80\n", new TcpNet.Run(new SysctlTool(), sys, "net.afpa.port").ok().out,
                    "a reload starts from the defaults");
        } finally {
            assertTrue(k.halt().clean());
        }
    }
}
