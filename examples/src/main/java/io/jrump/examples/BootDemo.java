package io.jrump.examples;

import io.jrump.kern.BootException;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.HaltReport;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.kern.module.ModStat;
import io.jrump.kern.sysctl.SysctlEntry;
import io.jrump.kern.syscall.Syscalls;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The first sample rump server: boots a kernel from {@code rump_server}-style flags, shows what it
 * linked, its sysctl tree and how long it took, then halts it. Later samples serve it to clients.
 *
 * <pre>usage: rump-demo [-c ncpu] [-r memlimit] [-l component]... [-v]</pre>
 */
public final class BootDemo {
    private BootDemo() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        KernelConfig.Builder cfg = KernelConfig.builder().hostname("rump-demo");
        List<String> comps = new ArrayList<>();
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "-c" -> cfg.ncpu(Integer.parseInt(value(args, ++i, a)));
                    case "-r" -> cfg.memoryLimit(KernelConfig.parseSize(value(args, ++i, a)));
                    case "-l" -> comps.add(value(args, ++i, a));
                    case "-v" -> cfg.verbose(true);
                    case "-h" -> {
                        out.println(usage());
                        return 0;
                    }
                    default -> throw new IllegalArgumentException("unknown flag '" + a + "'");
                }
            }
        } catch (IllegalArgumentException e) {
            err.println("rump-demo: " + e.getMessage());
            err.println(usage());
            return 1;
        }
        cfg.component(comps.toArray(new String[0]));
        Kernel k;
        try {
            k = Kernel.boot(cfg.build());
        } catch (BootException e) {
            err.println("rump-demo: boot failed: " + e.getMessage());
            return 1;
        }
        try {
            Syscalls sys = k.syscalls();
            out.printf("%s booted in %.3f ms with %s cpu(s)%n", sys.sysctlRead("kern.hostname"),
                    k.bootNanos() / 1e6, sys.sysctlRead("hw.ncpu"));
            out.println();
            out.println("$ modstat");
            out.printf("%-20s %-9s %-8s %4s %s%n", "NAME", "LEVEL", "SOURCE", "REFS", "REQUIRES");
            List<ModStat> mods = sys.modstat();
            if (mods.isEmpty()) {
                out.println("(only the kernel core: link components with -l)");
            }
            for (ModStat m : mods) {
                out.printf("%-20s %-9s %-8s %4d %s%n", m.name(), m.level(), m.source(), m.refs(),
                        m.requires().isEmpty() ? "-" : String.join(",", m.requires()));
            }
            out.println();
            out.println("linkable components on this class path: " + String.join(", ", k.modules().registry().names()));
            out.println();
            out.println("$ sysctl -a");
            for (SysctlEntry e : sys.sysctlList("")) {
                out.println(e.name() + " = " + e.value());
            }
            out.println();
            out.println("$ getpid; getuid");
            out.println("pid " + sys.getpid() + ", uid " + sys.getuid());
        } catch (ErrnoException e) {
            err.println("rump-demo: " + e.getMessage());
            k.halt();
            return 1;
        }
        HaltReport r = k.halt();
        out.println();
        out.println(r);
        return r.clean() ? 0 : 1;
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw new IllegalArgumentException("flag " + flag + " needs a value");
        }
        return args[i];
    }

    static String usage() {
        return "usage: rump-demo [-c ncpu] [-r memlimit] [-l component]... [-v]";
    }
}
