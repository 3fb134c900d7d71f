package io.jrump.systest.sockets;

import static org.junit.jupiter.api.Assertions.*;

import io.jrump.kern.BootException;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import org.junit.jupiter.api.Test;

/** sockin and netinet both provide the inet domain: one kernel may link one of them, never both. */
class InetProvidersTest {
    @Test
    void bootingWithBothFailsNamingBoth() {
        BootException e = assertThrows(BootException.class, () -> Kernel.boot(KernelConfig.builder()
                .component("rumpnet_sockin", "rumpnet_netinet").build()));
        assertTrue(e.getMessage().contains("rumpnet_sockin"), e.getMessage());
        assertTrue(e.getMessage().contains("rumpnet_netinet"), e.getMessage());
        assertTrue(e.getMessage().contains("PF_INET"), "the message says what they both provide: " + e.getMessage());
    }

    @Test
    void eitherAloneBoots() throws Exception {
        for (String c : new String[] {"rumpnet_sockin", "rumpnet_netinet"}) {
            Kernel k = Kernel.boot(KernelConfig.builder().component(c).build());
            assertTrue(k.halt().clean());
        }
    }
}
