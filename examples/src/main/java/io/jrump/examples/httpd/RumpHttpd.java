package io.jrump.examples.httpd;

import io.jrump.hypercall.Errno;
import io.jrump.hypercall.HostHypercall;
import io.jrump.kern.Cred;
import io.jrump.kern.BootException;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.net.IfIoctl;
import io.jrump.net.IfReq;
import io.jrump.net.Ifnet;
import io.jrump.net.Interfaces;
import io.jrump.sysproxy.RumpServer;
import io.jrump.vfs.etfs.Etfs;
import io.jrump.vfs.etfs.EtfsType;
import io.jrump.wire.Ipv4Address;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code rump-httpd}: the sample rump server of the AFPA accelerator. It boots a kernel that links only
 * {@code rumpvfs}, {@code rumpnet}, {@code rumpnet_net}, {@code rumpnet_netinet}, {@code rumpnet_afpa} and
 * the interface it is given, maps a host directory into the kernel's file system through etfs (its whole
 * subtree, at the document root), puts the interface up, starts the user-level HTTP server
 * ({@link UserHttpd}) on rump sockets, configures the accelerator ({@code net.afpa.*}) to serve the same
 * port and document root in front of it, and serves sysproxy on URL so that the {@code rump.*} tools can
 * watch it ({@code rump.netstat -s -p afpa}).
 *
 * <pre>
 * usage: rump-httpd [-b BUSFILE | -t TAP] [-a ADDR/LEN] [-D HOSTDIR] [-k DOCROOT] [-p PORT]
 *                   [-e 0|1] [-m hook|tdi] [-c NCPU] [-r MEMLIMIT] URL
 *   -b BUSFILE  a shmif interface on that bus file (no root needed; other kernels join the same file)
 *   -t TAP      a virtif interface on a Linux tap (root)
 *   -a          the interface's address (198.18.0.1/24)
 *   -D HOSTDIR  the host directory to serve (.)          -k  where it appears in the kernel (/www)
 *   -p PORT     the HTTP port (80)
 *   -e          net.afpa.enable (1)                      -m  net.afpa.mode (hook)
 * </pre>
 * Without the accelerator's sysctls (a kernel whose {@code rumpnet_afpa} does not offer them) the
 * user-level server serves alone, which is also what {@code -e 0} gives.
 */
public final class RumpHttpd {
    static final String USAGE = "usage: rump-httpd [-b BUSFILE | -t TAP] [-a ADDR/LEN] [-D HOSTDIR] [-k DOCROOT] [-p PORT]"
            + " [-e 0|1] [-m hook|tdi] [-c NCPU] [-r MEMLIMIT] URL";

    /** The command line. */
    public record Options(String bus, String tap, String cidr, Path hostDir, String docroot, int port, String enable,
                   String mode, int ncpu, long memory, String url) {
        String ifname() {
            return bus != null ? "shmif0" : "virt0";
        }
    }

    private RumpHttpd() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (List.of(args).contains("-h") || List.of(args).contains("--help")) {
            out.println(USAGE);
            return 0;
        }
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("rump-httpd: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        Server srv;
        try {
            srv = start(o, err);
        } catch (BootException e) {
            err.println("rump-httpd: boot failed: " + e.getMessage());
            return 1;
        } catch (ErrnoException | IOException | RuntimeException e) {
            err.println("rump-httpd: " + e.getMessage());
            return 1;
        }
        Kernel k = srv.kernel();
        UserHttpd httpd = srv.httpd();
        RumpServer server = srv.sysproxy();
        out.println("rump-httpd: " + o.hostDir() + " at " + o.docroot() + ", http://" + o.cidr().split("/")[0]
                + (o.port() == 80 ? "" : ":" + o.port()) + "/ on " + o.ifname() + " ("
                + (o.bus() != null ? "bus " + o.bus() : "tap " + o.tap()) + "); " + srv.serving());
        Thread hook = new Thread(() -> {
            httpd.close();
            k.halt();
        }, "rump-httpd-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        out.println("rump-httpd: serving " + server.url() + " (pid " + ProcessHandle.current().pid() + ")");
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
        httpd.close();
        k.halt();
        server.close();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down
        }
        return 0;
    }

    /** A running sample server: its kernel, the user-level server, sysproxy, and what serves the port. */
    public record Server(Kernel kernel, UserHttpd httpd, RumpServer sysproxy, String serving) implements AutoCloseable {
        /** Stops the user-level server and sysproxy and halts the kernel. */
        @Override
        public void close() {
            httpd.close();
            kernel.halt();
            sysproxy.close();
        }
    }

    /**
     * Boots the kernel, maps the host directory, puts the interface up, starts the user-level server,
     * configures the accelerator and serves sysproxy; on failure halts the kernel and throws.
     */
    public static Server start(Options o, PrintStream console) throws BootException, ErrnoException, IOException {
        Kernel k = boot(o, console);
        UserHttpd httpd = null;
        try {
            k.service(Etfs.class).register(o.docroot(), o.hostDir().toString(), EtfsType.DIRSUB);
            configureInterface(k, o);
            httpd = UserHttpd.start(k.syscalls(), o.port(), o.docroot());
            String serving = configureAfpa(k, o);
            return new Server(k, httpd, RumpServer.start(k, o.url()), serving);
        } catch (ErrnoException | IOException | RuntimeException e) {
            if (httpd != null) {
                httpd.close();
            }
            k.halt();
            throw e;
        }
    }

    /** The command line; an IllegalArgumentException says what is wrong with it. */
    public static Options parse(String[] args) {
        String bus = null;
        String tap = null;
        String cidr = "198.18.0.1/24";
        Path dir = Path.of(".");
        String docroot = "/www";
        int port = 80;
        String enable = "1";
        String mode = "hook";
        int ncpu = 2;
        long memory = 0;
        String url = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "-b" -> bus = value(args, ++i, a);
                case "-t" -> tap = value(args, ++i, a);
                case "-a" -> cidr = value(args, ++i, a);
                case "-D" -> dir = Path.of(value(args, ++i, a));
                case "-k" -> docroot = value(args, ++i, a);
                case "-p" -> port = Integer.parseInt(value(args, ++i, a));
                case "-e" -> enable = value(args, ++i, a);
                case "-m" -> mode = value(args, ++i, a);
                case "-c" -> ncpu = Integer.parseInt(value(args, ++i, a));
                case "-r" -> memory = KernelConfig.parseSize(value(args, ++i, a));
                case "-s" -> { }
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
        if ((bus == null) == (tap == null)) {
            throw new IllegalArgumentException("give one interface: -b BUSFILE (shmif) or -t TAP (virtif)");
        }
        if (url == null) {
            throw new IllegalArgumentException("no URL to serve sysproxy on (unix://PATH or tcp://ADDR:PORT)");
        }
        if (!cidr.matches("\\d+\\.\\d+\\.\\d+\\.\\d+/\\d+")) {
            throw new IllegalArgumentException("-a " + cidr + ": expected ADDR/LEN");
        }
        if (!docroot.startsWith("/") || docroot.length() < 2) {
            throw new IllegalArgumentException("-k " + docroot + ": a path below / in the kernel");
        }
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("-D " + dir + ": not a directory");
        }
        if (!enable.equals("0") && !enable.equals("1")) {
            throw new IllegalArgumentException("-e " + enable + ": 0 or 1");
        }
        if (!mode.equals("hook") && !mode.equals("tdi")) {
            throw new IllegalArgumentException("-m " + mode + ": hook or tdi");
        }
        return new Options(bus, tap, cidr, dir.toAbsolutePath().normalize(), docroot, port, enable, mode, ncpu,
                memory, url);
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[i];
    }

    /** The components the server links, and no others. */
    static List<String> components(Options o) {
        List<String> c = new ArrayList<>(List.of("rumpvfs", "rumpnet", "rumpnet_net", "rumpnet_netinet",
                "rumpnet_afpa"));
        c.add(o.bus() != null ? "rumpnet_shmif" : "rumpnet_virtif");
        return c;
    }

    static Kernel boot(Options o, PrintStream console) throws BootException {
        KernelConfig.Builder b = KernelConfig.builder().hostname("rump-httpd").ncpu(o.ncpu())
                .hypercall(HostHypercall.builder().consoleStream(console).build())
                .component(components(o).toArray(new String[0]));
        if (o.memory() > 0) {
            b.memoryLimit(o.memory());
        }
        return Kernel.boot(b.build());
    }

    /** {@code ifconfig IF create; ifconfig IF linkstr BUS|TAP; ifconfig IF inet ADDR/LEN up}. */
    static void configureInterface(Kernel k, Options o) throws ErrnoException {
        Interfaces ifs = k.service(Interfaces.class);
        String name = o.ifname();
        ifs.create(name);
        IfReq r = new IfReq(name);
        r.linkstr = o.bus() != null ? o.bus() : o.tap();
        ifs.ioctl(IfIoctl.SIOCSLINKSTR, r, Cred.ROOT);
        String[] p = o.cidr().split("/");
        IfReq a = new IfReq(name);
        a.addr = Ipv4Address.parse(p[0]);
        a.netmask = Ipv4Address.netmask(Integer.parseInt(p[1]));
        ifs.ioctl(IfIoctl.SIOCAIFADDR, a, Cred.ROOT);
        IfReq f = new IfReq(name);
        ifs.ioctl(IfIoctl.SIOCGIFFLAGS, f, Cred.ROOT);
        f.flags |= Ifnet.IFF_UP;
        ifs.ioctl(IfIoctl.SIOCSIFFLAGS, f, Cred.ROOT);
    }

    /**
     * Points the accelerator at the user-level server's port and document root, then enables it (last,
     * so that it never serves half configured). Returns a description of what serves the port.
     */
    static String configureAfpa(Kernel k, Options o) throws ErrnoException {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("net.afpa.port", Integer.toString(o.port()));
        s.put("net.afpa.docroot", o.docroot());
        s.put("net.afpa.mode", o.mode());
        s.put("net.afpa.enable", o.enable());
        try {
            for (Map.Entry<String, String> e : s.entrySet()) {
                k.syscalls().sysctlWrite(e.getKey(), e.getValue());
            }
        } catch (ErrnoException e) {
            if (e.errno() != Errno.ENOENT && e.errno() != Errno.EOPNOTSUPP) {
                throw e;
            }
            return "the user-level server alone (this rumpnet_afpa has no net.afpa sysctls)";
        }
        return o.enable().equals("1") ? "the AFPA accelerator in " + o.mode() + " mode, in front of the user-level server"
                : "the user-level server alone (net.afpa.enable=0)";
    }
}
