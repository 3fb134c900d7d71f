package io.jrump.kern.sysctl;

import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.Kernels;
import io.jrump.kern.module.ModuleTest;
import io.jrump.kern.sched.Proc;
import io.jrump.kern.syscall.Syscalls;
import static org.junit.jupiter.api.Assertions.*;

import io.jrump.hypercall.Errno;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SysctlTest {
    private Kernel k;

    @BeforeEach
    void boot() throws Exception {
        k = Kernels.boot();
        k.sysctl().createInt("net.inet.ip.forwarding", "forward packets", 0, SysctlNode.READWRITE,
                v -> v == 0 || v == 1);
        k.sysctl().createInt("net.inet.tcp.vtw.entries", "table size", 4096,
                SysctlNode.READWRITE | SysctlNode.IMMUTABLE_AFTER_USE, v -> Long.bitCount(v) == 1);
    }

    @AfterEach
    void halt() {
        k.halt();
    }

    private static int errno(ModuleTest.ThrowingCall c) {
        try {
            c.run();
        } catch (ErrnoException e) {
            return e.errno();
        }
        return 0;
    }

    @Test
    void rootWritesAndKernelCodeSeesTheNewValue() throws Exception {
        SysctlNode fwd = k.sysctl().lookup("net.inet.ip.forwarding");
        assertEquals("0", k.syscalls().sysctlWrite("net.inet.ip.forwarding", "1"));
        assertEquals(1, fwd.intValue());
    }

    @Test
    void errorsAreTheOnesSysctlReports() {
        Syscalls root = k.syscalls();
        assertEquals(Errno.ENOENT, errno(() -> root.sysctlRead("net.inet.nonesuch")));
        assertEquals(Errno.EPERM, errno(() -> root.sysctlWrite("kern.ostype", "Linux")), "read-only");
        assertEquals(Errno.EINVAL, errno(() -> root.sysctlWrite("net.inet.ip.forwarding", "2")), "out of range");
        assertEquals(Errno.EINVAL, errno(() -> root.sysctlWrite("net.inet.ip.forwarding", "yes")), "not a number");
        assertEquals(Errno.EISDIR, errno(() -> root.sysctlRead("net.inet")));
        Proc user = k.newProcess("user", new Cred(1000, 100, new int[0]));
        assertEquals(Errno.EPERM, errno(() -> user.syscalls().sysctlWrite("net.inet.ip.forwarding", "1")));
        assertEquals(0, errno(() -> user.syscalls().sysctlRead("net.inet.ip.forwarding")), "anyone may read");
    }

    @Test
    void sizeNodesCanOnlyBeSetBeforeFirstUse() throws Exception {
        Syscalls root = k.syscalls();
        assertEquals(Errno.EINVAL, errno(() -> root.sysctlWrite("net.inet.tcp.vtw.entries", "1000")), "power of two");
        root.sysctlWrite("net.inet.tcp.vtw.entries", "1024");
        assertEquals(1024, k.sysctl().lookup("net.inet.tcp.vtw.entries").intValue());
        assertEquals(Errno.EBUSY, errno(() -> root.sysctlWrite("net.inet.tcp.vtw.entries", "2048")));
    }

    @Test
    void listingIsInCreationOrderUnderAPrefix() throws Exception {
        List<SysctlEntry> l = k.syscalls().sysctlList("net.inet");
        assertEquals(List.of("net.inet.ip.forwarding", "net.inet.tcp.vtw.entries"),
                l.stream().map(SysctlEntry::name).toList());
        List<String> kern = k.syscalls().sysctlList("kern").stream().map(SysctlEntry::name).toList();
        assertEquals("kern.ostype", kern.get(0));
        assertTrue(kern.contains("kern.hostname"));
        assertFalse(k.syscalls().sysctlList("").stream().anyMatch(e -> e.name().isEmpty()));
    }

    @Test
    void rootRenamesTheHostAndBadNamesAreRefused() throws Exception {
        k.syscalls().sysctlWrite("kern.hostname", "router1");
        assertEquals("router1", k.hostname());
        assertEquals(Errno.EINVAL, errno(() -> k.syscalls().sysctlWrite("kern.hostname", "two words")));
        assertEquals(Errno.EINVAL, errno(() -> k.syscalls().sysctlWrite("kern.hostname", "")));
        assertEquals("router1", k.syscalls().sysctlRead("kern.hostname"));
    }
}
