package io.jrump.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.hypercall.BufferConsole;
import io.jrump.hypercall.HostHypercall;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.kern.syscall.Syscalls;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code rump.netstat -s -p lrp}: LRP's channel counters (issue 18) are a protocol of their own for
 * {@code -p}, as {@code tcp} and {@code udp} are, and a name no component publishes is still refused.
 */
class NetstatLrpTest {
    @Test
    void lrpCountersAreSelectableByName() throws Exception {
        Kernel k = Kernel.boot(KernelConfig.builder().hostname("l").ncpu(1).component("rumpnet_netinet")
                .hypercall(HostHypercall.builder().environment(Map.of()).console(new BufferConsole()).build()).build());
        try {
            Syscalls sys = k.syscalls();
            String lrp = new TcpNet.Run(new Netstat(), sys, "-s", "-p", "lrp").ok().out;
            assertTrue(lrp.startsWith("lrp:\n"), lrp);
            assertTrue(!lrp.contains("\ntcp:") && !lrp.contains("\nudp:"), lrp);
            assertEquals(1, new TcpNet.Run(new Netstat(), sys, "-s", "-p", "lrpx").status, "an unknown name is refused");
        } finally {
            assertTrue(k.halt().clean());
        }
    }
}
