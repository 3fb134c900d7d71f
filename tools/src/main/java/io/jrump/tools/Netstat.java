package io.jrump.tools;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.SysctlEntry;
import io.jrump.kern.SocketDefs;
import io.jrump.kern.Syscalls;
import java.io.PrintStream;
import java.util.List;

/**
 * {@code rump.netstat}, as NetBSD's netstat(1): {@code -s} protocol counters, {@code -a}/{@code -n}
 * sockets, {@code -i} interfaces, {@code -r} routes, {@code -m} mbufs. It reads the kernel's sysctl
 * tables and counters.
 */
public final class Netstat implements Tool {
    @Override
    public String name() {
        return "netstat";
    }

    @Override
    public String usage() {
        return "usage: rump.netstat [-s | -i | -r | -m | -a] [-n]";
    }

    @Override
    public int run(Syscalls sys, String[] args, PrintStream out, PrintStream err) throws ErrnoException, UsageException {
        char mode = 'c';
        for (String a : args) {
            if (!a.startsWith("-") || a.length() < 2) {
                throw new UsageException("unknown argument " + a);
            }
            for (char c : a.substring(1).toCharArray()) {
                switch (c) {
                    case 's', 'i', 'r', 'm' -> mode = c;
                    case 'a' -> mode = mode == 'c' ? 'a' : mode;
                    case 'n' -> { }
                    default -> throw new UsageException("unknown flag -" + c);
                }
            }
        }
        switch (mode) {
            case 's' -> stats(sys, out);
            case 'i' -> interfaces(sys, out);
            case 'r' -> routes(sys, out);
            case 'm' -> out.print(sys.sysctlRead("kern.mbuf.stats"));
            default -> sockets(sys, out, mode == 'a');
        }
        return 0;
    }

    private static void stats(Syscalls sys, PrintStream out) throws ErrnoException {
        String proto = null;
        for (SysctlEntry e : sys.sysctlList("net.inet")) {
            String[] p = e.name().split("\\.");
            if (p.length != 5 || !p[3].equals("stats")) {
                continue;
            }
            if (!p[2].equals(proto)) {
                proto = p[2];
                out.println(proto + ":");
            }
            out.printf("\t%s %s%n", e.value(), e.description());
        }
    }

    private static void interfaces(Syscalls sys, PrintStream out) throws ErrnoException {
        out.printf("%-7s %5s %-15s %-17s %9s %5s %9s %5s %5s%n", "Name", "Mtu", "Network", "Address", "Ipkts", "Ierrs",
                "Opkts", "Oerrs", "Colls");
        for (String[] r : Tables.rows(sys, "net.interfaces")) {
            String link = r[0].startsWith("lo") ? "" : r[4];
            out.printf("%-7s %5s %-15s %-17s %9s %5s %9s %5s %5d%n", r[0], r[3], "<Link>", link, r[7], r[8], r[10], r[11], 0);
            if (!r[14].equals("-")) {
                for (String a : r[14].split(",")) {
                    String[] p = a.split("/");
                    int len = Integer.parseInt(p[1]);
                    int net = Tables.parseAddrUnchecked(p[0]) & Tables.netmask(len);
                    out.printf("%-7s %5s %-15s %-17s %9s %5s %9s %5s %5d%n", r[0], r[3], Tables.fmt(net) + "/" + len, p[0],
                            r[7], r[8], r[10], r[11], 0);
                }
            }
        }
    }

    private static void routes(Syscalls sys, PrintStream out) throws ErrnoException {
        out.println("Routing tables");
        out.println();
        out.println("Internet:");
        out.printf("%-18s %-18s %-8s %s%n", "Destination", "Gateway", "Flags", "Interface");
        for (String[] r : Tables.rows(sys, "net.route.table")) {
            String dst = r[0].equals("0.0.0.0/0") ? "default" : r[0].endsWith("/32") ? r[0].substring(0, r[0].length() - 3) : r[0];
            out.printf("%-18s %-18s %-8s %s%n", dst, r[1], r[2], r[3]);
        }
    }

    private static void sockets(Syscalls sys, PrintStream out, boolean all) throws ErrnoException {
        out.println("Active Internet connections" + (all ? " (including servers)" : ""));
        out.printf("%-5s %6s %6s  %-22s %-22s %s%n", "Proto", "Recv-Q", "Send-Q", "Local Address", "Foreign Address", "State");
        List<String[]> rows = Tables.rows(sys, "kern.sockets");
        for (String[] r : rows) {
            if (!r[4].equals(Integer.toString(SocketDefs.AF_INET))) {
                continue;
            }
            int type = Integer.parseInt(r[5]);
            String proto = type == SocketDefs.SOCK_STREAM ? "tcp" : type == SocketDefs.SOCK_DGRAM ? "udp" : "raw";
            boolean connected = !r[9].equals("0") || !r[10].equals("0");
            if (!all && !connected && type != SocketDefs.SOCK_STREAM) {
                continue;
            }
            out.printf("%-5s %6s %6s  %-22s %-22s %s%n", proto, r[12], r[13], addr(r[7], r[8]), addr(r[9], r[10]), "");
        }
    }

    private static String addr(String a, String port) {
        return (a.equals("0.0.0.0") ? "*" : a) + "." + (port.equals("0") ? "*" : port);
    }
}
