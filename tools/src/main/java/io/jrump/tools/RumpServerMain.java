package io.jrump.tools;

import io.jrump.hypercall.HostHypercall;
import io.jrump.kern.BootException;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.sysproxy.RumpServer;
import io.jrump.vfs.etfs.Etfs;
import io.jrump.vfs.etfs.EtfsSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code rump_server}, as NetBSD's: boots a kernel with the components named by {@code -l}, loads the
 * modules named by {@code -m}, and serves it on URL until it is halted ({@code rump.halt}) or the
 * process gets SIGTERM or SIGINT. This class is the foreground server ({@code -s}); {@code bin/rump_server}
 * puts it in the background and returns once it accepts clients, as the original does without {@code -s}.
 *
 * <pre>usage: rump_server [-c ncpu] [-r memlimit] [-l component]... [-m module]... [-d key=K,hostpath=P[,size=S][,type=T]]... [-s] [-v] URL</pre>
 */
public final class RumpServerMain {
    static final String USAGE = "usage: rump_server [-c ncpu] [-r memlimit] [-l component]... [-m module]... "
            + "[-d key=K,hostpath=P[,size=S][,type=blk|chr|reg|dir]]... [-s] [-v] URL";

    private RumpServerMain() {
    }

    public static void main(String[] args) {
        int rc = run(args, System.out, System.err);
        if (rc != 0) {
            System.exit(rc);
        }
        System.exit(0);
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        KernelConfig.Builder cfg = KernelConfig.builder();
        List<String> modules = new ArrayList<>();
        List<String> comps = new ArrayList<>();
        List<EtfsSpec> disks = new ArrayList<>();
        String url = null;
        try {
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
                        if (a.startsWith("-")) {
                            throw new IllegalArgumentException("unknown flag " + a);
                        }
                        if (url != null) {
                            throw new IllegalArgumentException("more than one URL: " + url + " and " + a);
                        }
                        url = a;
                    }
                }
            }
            if (url == null) {
                throw new IllegalArgumentException("no URL (unix://PATH or tcp://ADDR:PORT)");
            }
        } catch (IllegalArgumentException e) {
            err.println("rump_server: " + e.getMessage());
            err.println(USAGE);
            return 1;
        }
        if (!disks.isEmpty() && !comps.contains("rumpvfs")) {
            comps.add("rumpvfs"); // -d maps host files into the VFS, as NetBSD's needs librumpvfs
        }
        cfg.component(comps.toArray(new String[0]));
        cfg.hypercall(HostHypercall.builder().consoleStream(err).build());
        Kernel k;
        try {
            k = Kernel.boot(cfg.build());
        } catch (BootException e) {
            err.println("rump_server: boot failed: " + e.getMessage());
            return 1;
        }
        for (String m : modules) {
            try {
                k.syscalls().modload(m);
            } catch (ErrnoException e) {
                err.println("rump_server: module " + m + ": " + e.getMessage());
                k.halt();
                return 1;
            }
        }
        for (EtfsSpec d : disks) {
            try {
                d.apply(k.service(Etfs.class));
            } catch (ErrnoException e) {
                err.println("rump_server: -d " + d.key() + " (" + d.hostPath() + "): " + e.getMessage());
                k.halt();
                return 1;
            }
        }
        RumpServer server;
        try {
            server = RumpServer.start(k, url);
        } catch (IOException | RuntimeException e) {
            err.println("rump_server: cannot serve " + url + ": " + e.getMessage());
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
        if (i >= args.length) {
            throw new IllegalArgumentException("flag " + flag + " needs a value");
        }
        return args[i];
    }

    private static int intArg(String[] args, int i, String flag) {
        String v = value(args, i, flag);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " takes a number, not '" + v + "'");
        }
    }
}
