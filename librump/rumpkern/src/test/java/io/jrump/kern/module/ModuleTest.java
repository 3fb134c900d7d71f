package io.jrump.kern.module;

import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.Kernels;
import io.jrump.kern.TestComponents;
import io.jrump.kern.sched.Proc;
import io.jrump.kern.syscall.SyscallArgs;
import io.jrump.kern.syscall.Syscalls;
import static org.junit.jupiter.api.Assertions.*;

import io.jrump.hypercall.Errno;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

public class ModuleTest {
    private Kernel k;
    private Syscalls sys;

    @BeforeEach
    void boot() throws Exception {
        k = Kernels.boot();
        sys = k.syscalls();
    }

    @AfterEach
    void halt() {
        assertTrue(k.halt().clean());
    }

    private static int errno(ThrowingCall c) {
        try {
            c.run();
        } catch (ErrnoException e) {
            return e.errno();
        }
        return 0;
    }

    public interface ThrowingCall {
        void run() throws ErrnoException;
    }

    private long testCall(long v) throws ErrnoException {
        SyscallArgs a = new SyscallArgs();
        a.i[0] = v;
        return sys.syscall(TestComponents.Mod.SYS_TEST, a);
    }

    @Test
    void modloadAddsSyscallsAndSysctlsAndModunloadTakesThemAway() throws Exception {
        assertEquals(Errno.ENOSYS, errno(() -> testCall(1)));
        sys.modload("test_mod");
        assertEquals(42, testCall(21));
        assertEquals("42", sys.sysctlRead("test.mod.answer"));
        List<ModStat> st = sys.modstat();
        assertEquals(List.of("test_a", "test_mod"), st.stream().map(ModStat::name).toList(),
                "the requirement came along");
        assertEquals("filesys", st.get(1).source());
        assertEquals(1, st.get(0).refs(), "test_a is used by test_mod");

        sys.modunload("test_mod");
        assertEquals(Errno.ENOSYS, errno(() -> testCall(1)));
        assertEquals(Errno.ENOENT, errno(() -> sys.sysctlRead("test.mod.answer")));
    }

    @Test
    void unloadRefusesWhatIsInUseOrNotLoaded() throws Exception {
        sys.modload("test_mod_user");
        assertEquals(Errno.EBUSY, errno(() -> sys.modunload("test_mod")));
        assertEquals(Errno.EBUSY, errno(() -> sys.modunload("test_a")), "test_a is not unloadable");
        sys.modunload("test_mod_user");
        sys.modunload("test_mod");
        assertEquals(Errno.ENOENT, errno(() -> sys.modunload("test_mod")));
    }

    @Test
    void loadErrorsAreErrnos() throws Exception {
        assertEquals(Errno.ENOENT, errno(() -> sys.modload("no_such_module")));
        sys.modload("test_x1");
        assertEquals(Errno.EEXIST, errno(() -> sys.modload("test_x1")));
        assertEquals(Errno.EEXIST, errno(() -> sys.modload("test_x2")), "conflicts with test_x1");
        assertEquals(Errno.EINVAL, errno(() -> sys.modload("test_fails")));
        assertEquals(List.of("test_x1"), k.modules().names(), "failed loads leave nothing attached");
    }

    @Test
    void onlyRootLoadsModules() throws Exception {
        Proc user = k.newProcess("user", new Cred(1000, 1000, new int[0]));
        assertEquals(Errno.EPERM, errno(() -> user.syscalls().modload("test_mod")));
        assertEquals(List.of(), user.syscalls().modstat(), "anyone may list modules");
        k.exitProcess(user);
    }
}
