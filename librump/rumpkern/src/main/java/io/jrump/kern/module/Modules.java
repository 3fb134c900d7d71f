package io.jrump.kern.module;

import io.jrump.kern.BootException;
import io.jrump.kern.Component;
import io.jrump.kern.ComponentLevel;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.hypercall.Errno;
import io.jrump.hypercall.HyperClock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The components attached to a kernel, and {@code modload}/{@code modunload} of more at run time
 * (NetBSD's {@code module(9)}): loading resolves requirements and conflicts against what is already
 * attached; unloading refuses a component that another one requires.
 */
public final class Modules {
    private final Kernel kernel;
    private final ComponentRegistry registry;
    /** The kernel's clock, which times each attach for the boot log. */
    private final HyperClock clock;
    private final Map<String, Attached> attached = new LinkedHashMap<>();
    private final List<LevelHook> levelHooks = new ArrayList<>();
    private boolean booted;

    private record LevelHook(ComponentLevel level, String owner, Runnable hook) {
    }

    private record Attached(Component component, String source) {
    }

    public Modules(Kernel kernel, ComponentRegistry registry) {
        this.kernel = kernel;
        this.registry = registry;
        this.clock = kernel.hypercall().clock();
    }

    public ComponentRegistry registry() {
        return registry;
    }

    /** Attaches the boot components in order; the first failure aborts the boot. */
    public synchronized void boot(List<String> wanted) throws BootException {
        List<Component> order = registry.resolve(wanted, Set.of());
        ComponentRegistry.checkConflicts(order);
        for (Component c : order) {
            runLevelHooksBefore(c.level());
            long t0 = clock.monotonicNanos();
            attachOne(c, "builtin");
            kernel.bootLog(String.format("attached %-20s level %-9s %6d us", c.name(), c.level(),
                    (clock.monotonicNanos() - t0) / 1000));
        }
        runLevelHooksBefore(null);
        booted = true;
    }

    /**
     * Runs {@code hook} when boot reaches {@code level}: after every component of that level or an
     * earlier one has attached, before any later one (NetBSD's netinet, for one, configures lo0 at
     * NET_IFCFG, after the interfaces exist). After boot, or when loaded as a module, it runs at once.
     */
    public synchronized void atLevel(ComponentLevel level, String owner, Runnable hook) {
        if (booted) {
            hook.run();
        } else {
            levelHooks.add(new LevelHook(level, owner, hook));
        }
    }

    private void runLevelHooksBefore(ComponentLevel next) throws BootException {
        while (true) {
            LevelHook h = null;
            for (LevelHook x : levelHooks) {
                if ((next == null || x.level().compareTo(next) < 0) && (h == null || x.level().compareTo(h.level()) < 0)) {
                    h = x;
                }
            }
            if (h == null) {
                return;
            }
            levelHooks.remove(h);
            try {
                h.hook().run();
            } catch (RuntimeException e) {
                throw new BootException("component '" + h.owner() + "' failed at level " + h.level() + ": " + e, e);
            }
        }
    }

    private void attachOne(Component c, String source) throws BootException {
        try {
            c.attach(kernel);
        } catch (BootException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new BootException("component '" + c.name() + "' failed to attach: " + e, e);
        }
        attached.put(c.name(), new Attached(c, source));
    }

    /** {@code modload}: ENOENT for an unknown name, EEXIST if loaded or in conflict, EINVAL if attach fails. */
    public synchronized void load(String name) throws ErrnoException {
        if (attached.containsKey(name)) {
            throw new ErrnoException(Errno.EEXIST, "module " + name + " is already loaded");
        }
        List<Component> order;
        try {
            order = registry.resolve(List.of(name), attached.keySet());
            List<Component> all = new ArrayList<>();
            for (Attached a : attached.values()) {
                all.add(a.component());
            }
            all.addAll(order);
            ComponentRegistry.checkConflicts(all);
        } catch (BootException e) {
            int errno = e.getMessage().startsWith("unknown") || e.getMessage().contains("not linked")
                    ? Errno.ENOENT : Errno.EEXIST;
            throw new ErrnoException(errno, e.getMessage());
        }
        for (Component c : order) {
            try {
                attachOne(c, "filesys");
            } catch (BootException e) {
                throw new ErrnoException(Errno.EINVAL, e.getMessage());
            }
            kernel.log("module " + c.name() + " loaded");
        }
    }

    /** {@code modunload}: ENOENT if not loaded, EBUSY if required by another or not unloadable. */
    public synchronized void unload(String name) throws ErrnoException {
        Attached a = attached.get(name);
        if (a == null) {
            throw new ErrnoException(Errno.ENOENT, "module " + name + " is not loaded");
        }
        List<String> users = users(name);
        if (!users.isEmpty()) {
            throw new ErrnoException(Errno.EBUSY, "module " + name + " is required by " + String.join(", ", users));
        }
        if (!a.component().unloadable()) {
            throw new ErrnoException(Errno.EBUSY, "module " + name + " cannot be unloaded");
        }
        a.component().detach(kernel);
        kernel.syscallTable().unregisterAll(name);
        attached.remove(name);
        kernel.log("module " + name + " unloaded");
    }

    private List<String> users(String name) {
        List<String> users = new ArrayList<>();
        for (Attached o : attached.values()) {
            if (o.component().requires().contains(name)) {
                users.add(o.component().name());
            }
        }
        return users;
    }

    public synchronized boolean isAttached(String name) {
        return attached.containsKey(name);
    }

    /** Attached component names in attach order. */
    public synchronized List<String> names() {
        return List.copyOf(attached.keySet());
    }

    /** {@code modstat}. */
    public synchronized List<ModStat> stat() {
        List<ModStat> out = new ArrayList<>();
        for (Attached a : attached.values()) {
            Component c = a.component();
            List<String> req = new ArrayList<>(c.requires());
            Collections.sort(req);
            out.add(new ModStat(c.name(), c.level().name(), a.source(), users(c.name()).size(), req,
                    c.description()));
        }
        return out;
    }

    /** Detaches everything in reverse attach order, at halt. Errors are logged, not thrown. */
    public synchronized void detachAll() {
        List<Attached> l = new ArrayList<>(attached.values());
        Collections.reverse(l);
        Set<String> done = new HashSet<>();
        for (Attached a : l) {
            try {
                a.component().detach(kernel);
            } catch (RuntimeException e) {
                kernel.log("detach " + a.component().name() + ": " + e);
            }
            done.add(a.component().name());
        }
        attached.keySet().removeAll(done);
    }
}
