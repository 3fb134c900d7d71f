package io.jrump.kern;

import io.jrump.kern.sysctl.SysctlNode;
import io.jrump.hypercall.Errno;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Components linked only into rumpkern's tests (registered in test resources' META-INF/services). */
public final class TestComponents {
    private TestComponents() {
    }

    /** Where test components record that they attached, kept per kernel as a service. */
    public static final class AttachLog {
        final List<String> order = new ArrayList<>();
    }

    static void record(Kernel k, String name) {
        AttachLog log = k.service(AttachLog.class);
        if (log == null) {
            log = new AttachLog();
            k.registerService(AttachLog.class, log);
        }
        synchronized (log) {
            log.order.add(name);
        }
    }

    static List<String> order(Kernel k) {
        AttachLog log = k.service(AttachLog.class);
        return log == null ? List.of() : List.copyOf(log.order);
    }

    abstract static class Base implements Component {
        private final String name;
        private final ComponentLevel level;
        private final Set<String> requires;
        private final Set<String> provides;

        Base(String name, ComponentLevel level, Set<String> requires, Set<String> provides) {
            this.name = name;
            this.level = level;
            this.requires = requires;
            this.provides = provides;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public ComponentLevel level() {
            return level;
        }

        @Override
        public Set<String> requires() {
            return requires;
        }

        @Override
        public Set<String> provides() {
            return provides;
        }

        @Override
        public void attach(Kernel k) throws BootException {
            record(k, name);
        }
    }

    public static final class A extends Base {
        public A() {
            super("test_a", ComponentLevel.KERN, Set.of(), Set.of());
        }
    }

    public static final class B extends Base {
        public B() {
            super("test_b", ComponentLevel.NET, Set.of("test_a"), Set.of());
        }
    }

    /** At VFS level but requires a NET component: the requirement wins over the level. */
    public static final class C extends Base {
        public C() {
            super("test_c", ComponentLevel.VFS, Set.of("test_b"), Set.of());
        }
    }

    public static final class Early extends Base {
        public Early() {
            super("test_early", ComponentLevel.KERN, Set.of(), Set.of());
        }
    }

    public static final class Late extends Base {
        public Late() {
            super("test_late", ComponentLevel.SYSCALL, Set.of(), Set.of());
        }
    }

    public static final class X1 extends Base {
        public X1() {
            super("test_x1", ComponentLevel.NET, Set.of(), Set.of("the test domain"));
        }
    }

    public static final class X2 extends Base {
        public X2() {
            super("test_x2", ComponentLevel.NET, Set.of(), Set.of("the test domain"));
        }
    }

    public static final class NeedsMissing extends Base {
        public NeedsMissing() {
            super("test_needs_missing", ComponentLevel.NET, Set.of("test_not_linked"), Set.of());
        }
    }

    public static final class Fails extends Base {
        public Fails() {
            super("test_fails", ComponentLevel.DEV, Set.of(), Set.of());
        }

        @Override
        public void attach(Kernel k) throws BootException {
            throw new BootException("test_fails: device not found");
        }
    }

    /** A loadable module: adds a sysctl and a syscall, and takes them away on unload. */
    public static final class Mod extends Base {
        public static final int SYS_TEST = 510;

        public Mod() {
            super("test_mod", ComponentLevel.POSTINIT, Set.of("test_a"), Set.of());
        }

        @Override
        public void attach(Kernel k) throws BootException {
            super.attach(k);
            k.sysctl().createInt("test.mod.answer", "a module's sysctl", 42, SysctlNode.READWRITE, v -> v >= 0);
            k.syscallTable().register(SYS_TEST, "test_mod_call", name(), (l, a) -> a.i[0] * 2);
        }

        @Override
        public boolean unloadable() {
            return true;
        }

        @Override
        public void detach(Kernel k) {
            k.sysctl().destroy("test.mod");
        }
    }

    /** Requires test_mod, so test_mod cannot be unloaded under it. */
    public static final class ModUser extends Base {
        public ModUser() {
            super("test_mod_user", ComponentLevel.POSTINIT, Set.of("test_mod"), Set.of());
        }

        @Override
        public boolean unloadable() {
            return true;
        }
    }

    static int enosys() {
        return Errno.ENOSYS;
    }
}
