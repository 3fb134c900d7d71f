package io.jrump.tools;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.base.Strings;
import com.google.common.primitives.Ints;
import io.jrump.hypercall.HostHypercall;
import io.jrump.kern.BootException;
import io.jrump.kern.Component;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.kern.module.ComponentRegistry;
import io.jrump.vfs.etfs.Etfs;
import io.jrump.vfs.etfs.EtfsSpec;
import io.jrump.sysproxy.RumpServer;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code rump_server}, as NetBSD's: boots a kernel with the components named by {@code -l}, loads the
 * modules named by {@code -m}, and serves it on URL until it is halted ({@code rump.halt}) or the
 * process gets SIGTERM or SIGINT. This class is the foreground server ({@code -s}); {@code bin/rump_server}
 * puts it in the background and returns once it accepts clients, as the original does without {@code -s}.
 *
 * <p>Like NetBSD's {@code rump_allserver}, it can link every component of the project: the tools' class
 * path holds them all, and {@code -l} takes any name that {@link ComponentRegistry} finds there.
 * {@code -h} lists those names with what each component is, from the same registry, so the list is the
 * class path's and not one kept by hand.
 *
 * <pre>usage: rump_server [-c ncpu] [-r memlimit] [-l component]... [-m module]... [-d key=K,hostpath=P[,size=S][,type=T]]... [-s] [-v] URL</pre>
 */
public final class RumpServerMain {
    static final String USAGE = "usage: rump_server [-c ncpu] [-r memlimit] [-l component]... [-m module]... "
            + "[-d key=K,hostpath=P[,size=S][,type=blk|chr|reg|dir]]... [-s] [-v] URL";
    static final String USAGE_HELP = "       rump_server -h   (lists the components -l can link)";

    private RumpServerMain() {
    }

    /**
     * What a command line asks for: the kernel's configuration, the modules to load, the host files to
     * map into its VFS ({@code -d}), where to serve.
     */
    record Invocation(KernelConfig.Builder config, List<String> modules, List<EtfsSpec> disks, String url) {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (List.of(args).contains("-h")) {
            return help(out, err);
        }
        Invocation inv;
        try {
            inv = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("rump_server: " + e.getMessage());
            err.println(USAGE);
            err.println(USAGE_HELP);
            return 1;
        }
        inv.config().hypercall(HostHypercall.builder().consoleStream(err).build());
        Kernel k = boot(inv, err);
        if (k == null) {
            return 1;
        }
        RumpServer server;
        try {
            server = RumpServer.start(k, inv.url());
        } catch (IOException | RuntimeException e) {
            err.println("rump_server: cannot serve " + inv.url() + ": " + e.getMessage());
            k.halt();
            return 1;
        }
        Thread hook = new Thread(k::halt, "rump_server-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        out.println("rump_server: serving " + server.url() + " (pid " + ProcessHandle.current().pid() + ")");
        out.flush();
        try {
            while (!server.awaitClosed(1, TimeUnit.SECONDS)) {
                if (k.halting()) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        k.halt();
        server.close();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down
        }
        return 0;
    }

    /** The command line, NetBSD's attached flags ({@code -lrumpnet_netinet}) included. */
    static Invocation parse(String[] args) {
        KernelConfig.Builder cfg = KernelConfig.builder();
        List<String> modules = new ArrayList<>();
        List<String> comps = new ArrayList<>();
        List<EtfsSpec> disks = new ArrayList<>();
        String url = null;
        args = splitAttached(args);
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "-c" -> cfg.ncpu(intArg(args, ++i, a));
                case "-r" -> cfg.memoryLimit(KernelConfig.parseSize(value(args, ++i, a)));
                case "-l" -> comps.add(value(args, ++i, a));
                case "-m" -> modules.add(value(args, ++i, a));
                case "-d" -> disks.add(EtfsSpec.parse(value(args, ++i, a)));
                case "-s" -> { }
                case "-v" -> cfg.verbose(true);
                default -> {
                    checkArgument(!a.startsWith("-"), "unknown flag %s", a);
                    checkArgument(url == null, "more than one URL: %s and %s", url, a);
                    url = a;
                }
            }
        }
        checkArgument(url != null, "no URL (unix://PATH or tcp://ADDR:PORT)");
        if (!disks.isEmpty() && !comps.contains("rumpvfs")) {
            comps.add("rumpvfs"); // -d maps host files into the VFS, as NetBSD's needs librumpvfs
        }
        cfg.component(comps.toArray(new String[0]));
        return new Invocation(cfg, modules, disks, url);
    }

    /**
     * Boots the kernel, loads the modules and registers the {@code -d} host files; on failure prints one
     * line to {@code err} and returns null.
     */
    static Kernel boot(Invocation inv, PrintStream err) {
        Kernel k;
        try {
            k = Kernel.boot(inv.config().build());
        } catch (BootException e) {
            err.println("rump_server: boot failed: " + e.getMessage());
            return null;
        }
        for (String m : inv.modules()) {
            try {
                k.syscalls().modload(m);
            } catch (ErrnoException e) {
                err.println("rump_server: module " + m + ": " + e.getMessage());
                k.halt();
                return null;
            }
        }
        for (EtfsSpec d : inv.disks()) {
            try {
                d.apply(k.service(Etfs.class));
            } catch (ErrnoException e) {
                err.println("rump_server: -d " + d.key() + " (" + d.hostPath() + "): " + e.getMessage());
                k.halt();
                return null;
            }
        }
        return k;
    }

    /**
     * {@code -h}: the usage, then one line for each component the class path links: its {@code -l} name,
     * what it is, and the components it cannot share a kernel with (those that provide the same
     * capability, as sockin and netinet both provide the inet domain).
     */
    static int help(PrintStream out, PrintStream err) {
        ComponentRegistry reg;
        try {
            reg = ComponentRegistry.load();
        } catch (BootException e) {
            err.println("rump_server: " + e.getMessage());
            return 1;
        }
        out.println(USAGE);
        out.println();
        out.println("components (-l NAME; each pulls in what it requires):");
        int width = reg.names().stream().mapToInt(String::length).max().orElse(0);
        for (String name : reg.names()) {
            Component c = reg.get(name);
            List<String> excludes = reg.names().stream()
                    .filter(o -> !o.equals(name) && !Collections.disjoint(reg.get(o).provides(), c.provides()))
                    .toList();
            out.println("  " + Strings.padEnd(name, width, ' ') + "  " + c.description()
                    + (excludes.isEmpty() ? "" : " (not with " + String.join(", ", excludes) + ")"));
        }
        return 0;
    }

    /** Accepts NetBSD's attached form too: {@code -lrumpnet_netinet} as {@code -l rumpnet_netinet}. */
    static String[] splitAttached(String[] args) {
        List<String> l = new ArrayList<>();
        for (String a : args) {
            if (a.length() > 2 && a.charAt(0) == '-' && "clmrd".indexOf(a.charAt(1)) >= 0) {
                l.add(a.substring(0, 2));
                l.add(a.substring(2));
            } else {
                l.add(a);
            }
        }
        return l.toArray(new String[0]);
    }

    private static String value(String[] args, int i, String flag) {
        checkArgument(i < args.length, "flag %s needs a value", flag);
        return args[i];
    }

    private static int intArg(String[] args, int i, String flag) {
        String v = value(args, i, flag);
        Integer n = Ints.tryParse(v);
        checkArgument(n != null, "%s takes a number, not '%s'", flag, v);
        return n;
    }
}
