package io.jrump.kern;

import io.jrump.kern.module.ComponentRegistry;
import static org.junit.jupiter.api.Assertions.*;

import io.jrump.hypercall.HostHypercall;
import io.jrump.hypercall.Hypercall;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ComponentTest {

    @Test
    void componentsAttachByLevelWithRequirementsFirstAndPulledIn() throws Exception {
        Kernel k = Kernels.boot("test_late", "test_c", "test_early");
        try {
            // test_c (VFS) requires test_b (NET) requires test_a (KERN): requirements come in and go first.
            assertEquals(List.of("test_a", "test_early", "test_b", "test_c", "test_late"), TestComponents.order(k));
            assertEquals(List.of("test_a", "test_early", "test_b", "test_c", "test_late"), k.modules().names());
        } finally {
            k.halt();
        }
    }

    @Test
    void unknownComponentNamesItAndTheLinkedOnes() {
        BootException e = assertThrows(BootException.class, () -> Kernels.boot("rumpnet_nonesuch"));
        assertTrue(e.getMessage().contains("unknown component 'rumpnet_nonesuch'"), e.getMessage());
        assertTrue(e.getMessage().contains("test_a"), e.getMessage());
    }

    @Test
    void missingRequirementNamesWhoNeedsWhat() {
        BootException e = assertThrows(BootException.class, () -> Kernels.boot("test_needs_missing"));
        assertEquals("component 'test_needs_missing' requires 'test_not_linked', which is not linked"
                + " (no jar on the class path provides it)", e.getMessage());
    }

    @Test
    void conflictNamesBothComponents() {
        BootException e = assertThrows(BootException.class, () -> Kernels.boot("test_x2", "test_x1"));
        assertEquals("components 'test_x1' and 'test_x2' both provide the test domain;"
                + " a kernel can link only one of them", e.getMessage());
    }

    @Test
    void failedAttachAbortsBootAndLeavesNoThreadRunning() {
        Hypercall hc = HostHypercall.builder().environment(Map.of()).build();
        BootException e = assertThrows(BootException.class,
                () -> Kernel.boot(KernelConfig.builder().hypercall(hc).component("test_fails").build()));
        assertEquals("test_fails: device not found", e.getMessage());
        assertEquals(List.of(), hc.threads().liveThreadNames());
    }

    @Test
    void registryOfHandPickedComponentsLinksOnlyThose() throws Exception {
        ComponentRegistry r = ComponentRegistry.of(List.of(new TestComponents.A()));
        assertEquals(java.util.Set.of("test_a"), r.names());
        BootException e = assertThrows(BootException.class,
                () -> Kernel.boot(Kernels.config("test_b").registry(r).build()));
        assertTrue(e.getMessage().startsWith("unknown component 'test_b'"), e.getMessage());
    }

    @Test
    void levelHooksRunWhenBootReachesTheirLevel() throws Exception {
        ComponentRegistry r = ComponentRegistry.load().with(List.of(new TestComponents.Base("test_hooker",
                ComponentLevel.NET, java.util.Set.of(), java.util.Set.of()) {
            @Override
            public void attach(Kernel k) throws BootException {
                super.attach(k);
                k.atLevel(ComponentLevel.NET_IFCFG, name(), () -> TestComponents.record(k, "hook@NET_IFCFG"));
            }
        }));
        Kernel k = Kernel.boot(Kernels.config("test_hooker", "test_late", "test_c").registry(r).build());
        try {
            assertEquals(List.of("test_a", "test_b", "test_c", "test_hooker", "hook@NET_IFCFG", "test_late"),
                    TestComponents.order(k));
            k.atLevel(ComponentLevel.NET_IFCFG, "late", () -> TestComponents.record(k, "after boot"));
            assertEquals("after boot", TestComponents.order(k).get(6));
        } finally {
            k.halt();
        }
    }
}
