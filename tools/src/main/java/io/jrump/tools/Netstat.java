package io.jrump.tools;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.sysctl.SysctlEntry;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.kern.sysctl.KinfoPcb;
import io.jrump.kern.sysctl.KinfoSocket;
import io.jrump.netinet.tcp.TcpState;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code rump.netstat}, as NetBSD's netstat(1): {@code -s} protocol counters ({@code -ss} without the
 * zero ones), {@code -a}/{@code -n} sockets, {@code -i} interfaces, {@code -r} routes, {@code -m} mbufs;
 * {@code -p PROTO} keeps one protocol, {@code -v} adds each TCP connection's own counters. It reads the
 * kernel's sysctl tables and counters; {@code -s} also prints the counters of the HTTP accelerator
 * ({@code -p afpa}) when {@code rumpnet_afpa} is loaded.
 */
public final class Netstat implements Tool {
    /** NetBSD's {@code protox} order: what {@code netstat -s} prints first. */
    private static final List<String> PROTOCOL_ORDER = List.of("tcp", "udp", "ip", "icmp");

    @Override
    public String name() {
        return "netstat";
    }

    @Override
    public String usage() {
        return "usage: rump.netstat [-s[s] | -i | -r | -m | -a] [-n] [-v] [-p protocol]";
    }

    @Override
    public int run(Syscalls sys, String[] args, PrintStream out, PrintStream err) throws ErrnoException, UsageException {
        char mode = 'c';
        int sflag = 0;
        boolean verbose = false;
        String proto = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("-") || a.length() < 2) {
                throw new UsageException("unknown argument " + a);
            }
            for (int k = 1; k < a.length(); k++) {
                char c = a.charAt(k);
                switch (c) {
                    case 'i', 'r', 'm' -> mode = c;
                    case 's' -> {
                        mode = 's';
                        sflag++;
                    }
                    case 'a' -> mode = mode == 'c' ? 'a' : mode;
                    case 'n' -> { }
                    case 'v' -> verbose = true;
                    case 'p' -> {
                        if (k + 1 < a.length()) {
                            proto = a.substring(k + 1);
                            k = a.length();
                        } else if (i + 1 < args.length) {
                            proto = args[++i];
                        } else {
                            throw new UsageException("-p needs a protocol");
                        }
                    }
                    default -> throw new UsageException("unknown flag -" + c);
                }
            }
        }
        if (proto != null && !List.of("tcp", "udp", "ip", "icmp", "raw", "arp", "lrp", "afpa", "link").contains(proto)) {
            err.println("rump.netstat: " + proto + ": unknown protocol");
            return 1;
        }
        switch (mode) {
            case 's' -> stats(sys, proto, sflag > 1, out);
            case 'i' -> interfaces(sys, out);
            case 'r' -> routes(sys, out);
            case 'm' -> {
                out.print(sys.sysctlRead("kern.mbuf.stats"));
                adapterMemory(sys, out);
            }
            default -> sockets(sys, out, mode == 'a', proto, verbose);
        }
        return 0;
    }

    /** DART adapter memory (seed 002), counted apart from the kernel's mbufs: one line per interface that has it. */
    private static void adapterMemory(Syscalls sys, PrintStream out) throws ErrnoException {
        for (String[] b : Tables.rows(sys, "net.ifbuffers")) {
            if (b.length > 9 && !b[3].equals("-")) {
                out.printf("%s adapter memory: %s bytes, %s in use (peak %s), %s buffers handed out, %s writes to kernel"
                        + " buffers for want of room, %s relocations (%s bytes)%n", b[0], b[3], b[4], b[5], b[6], b[7], b[8],
                        b[9]);
            }
        }
    }

    private static void stats(Syscalls sys, String only, boolean skipZero, PrintStream out) throws ErrnoException {
        Map<String, List<SysctlEntry>> byProto = new LinkedHashMap<>();
        for (SysctlEntry e : sys.sysctlList("net.inet")) {
            String[] p = e.name().split("\\.");
            if (p.length == 5 && p[3].equals("stats")) {
                byProto.computeIfAbsent(p[2], k -> new ArrayList<>()).add(e);
            }
        }
        List<SysctlEntry> afpa = kernelComponentStats(sys, "net.afpa.stats");
        if (!afpa.isEmpty()) {
            byProto.put("afpa", afpa);
        }
        List<String> order = new ArrayList<>();
        for (String p : PROTOCOL_ORDER) {
            if (byProto.containsKey(p)) {
                order.add(p);
            }
        }
        for (String p : byProto.keySet()) {
            if (!order.contains(p)) {
                order.add(p);
            }
        }
        if (only == null || only.equals("link")) {
            order.add("link");
        }
        for (String proto : order) {
            if (only != null && !only.equals(proto)) {
                continue;
            }
            if (proto.equals("link")) {
                linkOffload(sys, skipZero, out);
                continue;
            }
            out.println(proto + ":");
            Map<String, Long> counters = TcpStatLines.of(byProto.get(proto));
            if (proto.equals("tcp")) {
                TcpStatLines.print(counters, skipZero, out);
                vestigial(sys, skipZero, out);
                continue;
            }
            for (Map.Entry<String, Long> c : counters.entrySet()) {
                if (!(skipZero && c.getValue() == 0)) {
                    out.printf("\t%d %s%n", c.getValue(), c.getKey());
                }
            }
        }
    }

    /**
     * {@code link:}: DART's split of segmentation work (seed 002), summed over the interfaces of
     * {@code net.link.offload} ({@code rump.ifconfig -v} shows each interface's).
     */
    private static void linkOffload(Syscalls sys, boolean skipZero, PrintStream out) throws ErrnoException {
        long[] sum = new long[5];
        List<String[]> rows;
        try {
            rows = Tables.rows(sys, "net.link.offload");
        } catch (ErrnoException e) {
            return; // no interface layer (sockin)
        }
        for (String[] r : rows) {
            for (int i = 0; i < 5 && 4 + i < r.length; i++) {
                sum[i] += Long.parseLong(r[4 + i]);
            }
        }
        String[] words = {"packets built at if_buflen handed to the adapter", "frames cut by the adapter",
            "frames cut by IP output for an interface that could not", "checksums filled by the adapter",
            "fragmented datagrams whose adapter checksum was adjusted"};
        out.println("link:");
        for (int i = 0; i < 5; i++) {
            if (!(skipZero && sum[i] == 0)) {
                out.printf("\t%d %s%n", sum[i], words[i]);
            }
        }
    }

    /**
     * Counters a loadable component publishes outside {@code net.inet} ({@code rumpnet_afpa}'s
     * {@code net.afpa.stats}); none when the component is not loaded.
     */
    private static List<SysctlEntry> kernelComponentStats(Syscalls sys, String prefix) throws ErrnoException {
        try {
            return sys.sysctlList(prefix);
        } catch (ErrnoException e) {
            if (e.errno() == io.jrump.hypercall.Errno.ENOENT) {
                return List.of();
            }
            throw e;
        }
    }

    /**
     * The vestigial TIME_WAIT counters ({@code net.inet.tcp.vtw.stats}, NetBSD's {@code vtw_stats}) under
     * TCP's, with each class's entries in use.
     */
    private static void vestigial(Syscalls sys, boolean skipZero, PrintStream out) throws ErrnoException {
        List<SysctlEntry> vtw = new ArrayList<>();
        for (SysctlEntry e : sys.sysctlList("net.inet.tcp")) {
            if (e.name().startsWith("net.inet.tcp.vtw.stats.")) {
                vtw.add(e);
            }
        }
        if (vtw.isEmpty()) {
            return;
        }
        out.println("\tvestigial TIME_WAIT:");
        for (Map.Entry<String, Long> c : TcpStatLines.of(vtw).entrySet()) {
            if (!(skipZero && c.getValue() == 0)) {
                out.printf("\t\t%d %s%n", c.getValue(), c.getKey());
            }
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
                    int net = Args.ipv4(p[0]) & Args.netmask(len);
                    out.printf("%-7s %5s %-15s %-17s %9s %5s %9s %5s %5d%n", r[0], r[3], SockAddr.format(net) + "/" + len, p[0],
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

    /**
     * {@code netstat -a}: TCP from {@code net.inet.tcp.pcblist} (with the state, TIME_WAIT included, as
     * NetBSD's {@code protopr()} prints it), then UDP from {@code net.inet.udp.pcblist}, then raw sockets
     * from {@code net.inet.raw.pcblist}; each table is read whole, in binary, whatever its size. A stack
     * without pcb lists (rumpnet_sockin) is listed from {@code kern.sockets}. Without {@code -a},
     * endpoints with no foreign address (listeners, unconnected UDP) are left out.
     */
    private static void sockets(Syscalls sys, PrintStream out, boolean all, String only, boolean verbose)
            throws ErrnoException {
        out.println("Active Internet connections" + (all ? " (including servers)" : ""));
        String head = row("Proto", "Recv-Q", "Send-Q", "Local Address", "Foreign Address", "State");
        out.println(verbose ? verbose(head, "Segs-in", "Segs-out", "Bytes-in", "Bytes-out", "Rexmits") : head);
        ByteBuffer[] sockets = new ByteBuffer[1];
        if (only == null || only.equals("tcp")) {
            pcbs(sys, "net.inet.tcp.pcblist", "tcp", SocketDefs.SOCK_STREAM, all, verbose, sockets, out);
        }
        if (only == null || only.equals("udp")) {
            pcbs(sys, "net.inet.udp.pcblist", "udp", SocketDefs.SOCK_DGRAM, all, false, sockets, out);
        }
        if (only == null || only.equals("raw")) {
            pcbs(sys, "net.inet.raw.pcblist", "raw", SocketDefs.SOCK_RAW, all, false, sockets, out);
        }
    }

    /**
     * One protocol's lines from its pcb list, or from {@code kern.sockets} (read once, into
     * {@code sockets[0]}) if the kernel has no such list.
     */
    private static void pcbs(Syscalls sys, String table, String proto, int type, boolean all, boolean verbose,
                             ByteBuffer[] sockets, PrintStream out) throws ErrnoException {
        ByteBuffer b = Tables.recordsIfAny(sys, table, KinfoPcb.SIZE);
        if (b == null) {
            if (sockets[0] == null) {
                sockets[0] = Tables.records(sys, "kern.sockets", KinfoSocket.SIZE);
            }
            fromSockets(sockets[0], type, proto, all, out);
            return;
        }
        KinfoPcb r = new KinfoPcb();
        for (int at = 0; at + KinfoPcb.SIZE <= b.limit(); at += KinfoPcb.SIZE) {
            r.read(b, at);
            if (!all && r.faddr == 0) {
                continue;
            }
            String state = type == SocketDefs.SOCK_STREAM ? TcpState.name(r.tstate) : "";
            String line = row(proto, Integer.toString(r.rcvq), Integer.toString(r.sndq), addr(r.laddr, r.lport),
                    addr(r.faddr, r.fport), state);
            if (verbose) {
                line = verbose(line, Long.toString(r.segsIn), Long.toString(r.segsOut), Long.toString(r.bytesIn),
                        Long.toString(r.bytesOut), Long.toString(r.rexmits));
            }
            out.println(line);
        }
    }

    /** The Internet sockets of one type from {@code kern.sockets}: addresses and queues, no state. */
    private static void fromSockets(ByteBuffer sockets, int type, String proto, boolean all, PrintStream out) {
        KinfoSocket r = new KinfoSocket();
        for (int at = 0; at + KinfoSocket.SIZE <= sockets.limit(); at += KinfoSocket.SIZE) {
            r.read(sockets, at);
            if (r.family != SocketDefs.AF_INET || r.type != type || (!all && r.faddr == 0)) {
                continue;
            }
            out.println(row(proto, Integer.toString(r.rcvcc), Integer.toString(r.sndcc), addr(r.laddr, r.lport),
                    addr(r.faddr, r.fport), ""));
        }
    }

    private static String verbose(String row, String segsIn, String segsOut, String bytesIn, String bytesOut,
                                  String rexmits) {
        return String.format("%-79s %8s %8s %10s %10s %7s", row, segsIn, segsOut, bytesIn, bytesOut, rexmits);
    }

    private static String row(String proto, String rcvq, String sndq, String local, String foreign, String state) {
        return String.format("%-5.5s %6.6s %6.6s  %-22.22s %-22.22s %s", proto, rcvq, sndq, local, foreign, state).stripTrailing();
    }

    private static String addr(int a, int port) {
        return (a == 0 ? "*" : SockAddr.format(a)) + "." + (port == 0 ? "*" : Integer.toString(port));
    }
}
