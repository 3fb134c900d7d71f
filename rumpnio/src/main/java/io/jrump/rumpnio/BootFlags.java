package io.jrump.rumpnio;

import com.google.common.base.Splitter;
import io.jrump.kern.BootException;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code rump_server}'s kernel flags for a kernel the provider boots in-process:
 * {@code -c ncpu}, {@code -r memlimit}, {@code -l component} (repeatable), {@code -m module}
 * (repeatable), {@code -v}; attached forms such as {@code -lrumpnet_netinet} too. With no {@code -l} the
 * kernel links {@code rumpnet_netinet}, since a provider without sockets is of no use. Its processes may
 * hold 65536 descriptors (NetBSD's and {@code rump_server}'s default is 1024), because a Java program
 * counts on its host's limit, and one selector may watch ten thousand channels.
 */
final class BootFlags {
    static final String USAGE = "flags: [-c ncpu] [-r memlimit] [-l component]... [-m module]... [-v]";
    static final int MAX_FILES = 65536;

    private final KernelConfig config;
    private final List<String> modules;

    private BootFlags(KernelConfig config, List<String> modules) {
        this.config = config;
        this.modules = modules;
    }

    static BootFlags parse(String flags) {
        List<String> args = new ArrayList<>();
        for (String a : Splitter.on(' ').trimResults().omitEmptyStrings().split(flags)) {
            if (a.length() > 2 && a.charAt(0) == '-' && "clmr".indexOf(a.charAt(1)) >= 0) {
                args.add(a.substring(0, 2));
                args.add(a.substring(2));
            } else {
                args.add(a);
            }
        }
        KernelConfig.Builder b = KernelConfig.builder().maxFilesPerProc(MAX_FILES).hostname("rumpnio");
        List<String> comps = new ArrayList<>();
        List<String> mods = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "-c" -> b.ncpu(number(value(args, ++i, a), a));
                case "-r" -> b.memoryLimit(KernelConfig.parseSize(value(args, ++i, a)));
                case "-l" -> comps.add(value(args, ++i, a));
                case "-m" -> mods.add(value(args, ++i, a));
                case "-v" -> b.verbose(true);
                default -> throw new IllegalArgumentException("unknown flag '" + a + "'");
            }
        }
        if (comps.isEmpty()) {
            comps.add("rumpnet_netinet");
        }
        b.component(comps.toArray(new String[0]));
        return new BootFlags(b.build(), mods);
    }

    private static String value(List<String> args, int i, String flag) {
        if (i >= args.size()) {
            throw new IllegalArgumentException("flag " + flag + " needs a value");
        }
        return args.get(i);
    }

    private static int number(String v, String flag) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " takes a number, not '" + v + "'");
        }
    }

    Kernel boot() throws BootException {
        Kernel k = Kernel.boot(config);
        for (String m : modules) {
            try {
                k.syscalls().modload(m);
            } catch (ErrnoException e) {
                k.halt();
                throw new BootException("module " + m + ": " + e.getMessage());
            }
        }
        return k;
    }
}
