package io.jrump.tools;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.net.IfBufferIoctls;
import io.jrump.net.IfIoctl;
import io.jrump.net.IfReq;
import io.jrump.net.Ifnet;
import java.io.PrintStream;
import java.util.List;

/**
 * {@code rump.ifconfig}, as NetBSD's ifconfig(8): list interfaces, create and destroy cloned ones, set
 * {@code linkstr}, add and delete IPv4 addresses, bring interfaces up and down, set the MTU. It talks
 * to the kernel through interface ioctls on a datagram socket, as the real one does.
 *
 * <p>{@code tso4} and {@code -tso4} turn a {@code virtN} interface's checksum and segmentation offload on and
 * off. NetBSD's ifconfig sets such capabilities with {@code SIOCSIFCAP}; here the tap driver takes them in its
 * linkstr ({@code linkstr -tso4} does the same), so the tool sends them that way, and only to {@code virt}
 * interfaces, whose linkstr understands them (on a shmif interface the word would name a bus file).
 *
 * <p>{@code buflen N} sets DART's {@code if_buflen} (seed 002, SIOCSIFBUFLEN): the largest packet the stack builds
 * for the interface, which its adapter cuts into MTU-sized frames. {@code -v} adds it, the offload the interface
 * has and what segmentation did there ({@code net.link.offload}).
 */
public final class Ifconfig implements Tool {
    @Override
    public String name() {
        return "ifconfig";
    }

    @Override
    public String usage() {
        return "usage: rump.ifconfig [-v] [-a] | [-v] IF [create|destroy] [linkstr PATH] [inet ADDR[/LEN] [netmask M] [alias]]"
                + " [delete ADDR] [up|down] [mtu N] [buflen N] [tso4|-tso4] [sockbuf SIZE|auto [rate R] [rtt T] [max SIZE]|off]"
                + " [adaptermem SIZE [minrate R]|off]"
                + "   (-v: also DART's segmentation and buffering)";
    }

    static String flagNames(int f) {
        String[][] names = {{"1", "UP"}, {"2", "BROADCAST"}, {"4", "DEBUG"}, {"8", "LOOPBACK"}, {"16", "POINTOPOINT"},
            {"64", "RUNNING"}, {"128", "NOARP"}, {"256", "PROMISC"}, {"2048", "SIMPLEX"}, {"32768", "MULTICAST"}};
        StringBuilder sb = new StringBuilder();
        for (String[] n : names) {
            if ((f & Integer.parseInt(n[0])) != 0) {
                sb.append(sb.length() == 0 ? "" : ",").append(n[1]);
            }
        }
        return String.format("flags=0x%x<%s>", f, sb);
    }

    private static void print(String[] r, PrintStream out) {
        int flags = Integer.parseInt(r[2]);
        out.printf("%s: %s mtu %s%n", r[0], flagNames(flags), r[3]);
        if ((flags & Ifnet.IFF_LOOPBACK) == 0) {
            out.printf("\taddress: %s%n", r[4]);
            out.printf("\tstatus: %s%n", r[5].equals("2") ? "active" : r[5].equals("1") ? "no carrier" : "unknown");
        }
        if (!r[6].equals("-")) {
            out.printf("\tlinkstr: %s%n", r[6]);
        }
        if (!r[14].equals("-")) {
            for (String a : r[14].split(",")) {
                String[] p = a.split("/");
                out.printf("\tinet %s/%s%s%n", p[0], p[1],
                        (flags & Ifnet.IFF_BROADCAST) != 0 ? " broadcast " + p[2] : "");
            }
        }
    }

    /** {@code -v}: the interface's {@code net.link.offload} line: buflen, transmit offload, segmentation counters. */
    private static void printVerbose(String name, List<String[]> offload, PrintStream out) {
        for (String[] o : offload) {
            if (o[0].equals(name) && o.length >= 9) {
                int csum = Integer.parseInt(o[3], 16);
                out.printf("\tbuflen %s (mtu %s)%s%n", o[2], o[1],
                        (csum & io.jrump.rumpnet.mbuf.CsumFlags.M_CSUM_TSOv4) != 0 ? " segmented by the adapter" : "");
                out.printf("\toffload:%s%s%n", (csum & io.jrump.rumpnet.mbuf.CsumFlags.M_CSUM_TCPv4) != 0 ? " tcp4csum" : "",
                        (csum & io.jrump.rumpnet.mbuf.CsumFlags.M_CSUM_TSOv4) != 0 ? " tso4" : "");
                out.printf("\tsegmentation: %s packets built at buflen, %s frames cut by the adapter, %s cut by IP output,"
                        + " %s checksums filled by the adapter, %s fragment sums adjusted%n", o[4], o[5], o[6], o[7], o[8]);
            }
        }
    }

    @Override
    public int run(Syscalls sys, String[] args, PrintStream out, PrintStream err) throws ErrnoException, UsageException {
        List<String[]> rows = Tables.rows(sys, "net.interfaces");
        boolean verbose = args.length > 0 && args[0].equals("-v");
        if (verbose) {
            args = java.util.Arrays.copyOfRange(args, 1, args.length);
        }
        List<String[]> offload = verbose ? Tables.rows(sys, "net.link.offload") : List.of();
        if (args.length == 0 || args.length == 1 && args[0].equals("-a")) {
            for (String[] r : rows) {
                print(r, out);
                if (verbose) {
                    printVerbose(r[0], offload, out);
                    printBuffers(sys, r[0], out);
                }
            }
            return 0;
        }
        if (args[0].startsWith("-")) {
            throw new UsageException("unknown flag " + args[0]);
        }
        String ifname = args[0];
        int s = sys.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
        try {
            if (args.length == 1) {
                for (String[] r : rows) {
                    if (r[0].equals(ifname)) {
                        print(r, out);
                        if (verbose) {
                            printVerbose(r[0], offload, out);
                            printBuffers(sys, ifname, out);
                        }
                        return 0;
                    }
                }
                err.println("rump.ifconfig: interface " + ifname + " does not exist");
                return 1;
            }
            for (int i = 1; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "create" -> sys.ioctl(s, IfIoctl.SIOCIFCREATE, new IfReq(ifname));
                    case "destroy" -> sys.ioctl(s, IfIoctl.SIOCIFDESTROY, new IfReq(ifname));
                    case "linkstr" -> {
                        IfReq r = new IfReq(ifname);
                        r.linkstr = Args.arg(args, ++i, a);
                        sys.ioctl(s, IfIoctl.SIOCSLINKSTR, r);
                    }
                    case "up", "down" -> {
                        IfReq r = new IfReq(ifname);
                        sys.ioctl(s, IfIoctl.SIOCGIFFLAGS, r);
                        r.flags = a.equals("up") ? r.flags | Ifnet.IFF_UP : r.flags & ~Ifnet.IFF_UP;
                        sys.ioctl(s, IfIoctl.SIOCSIFFLAGS, r);
                    }
                    case "mtu" -> {
                        IfReq r = new IfReq(ifname);
                        r.mtu = Args.number(Args.arg(args, ++i, a), "mtu", 0, 65535);
                        sys.ioctl(s, IfIoctl.SIOCSIFMTU, r);
                    }
                    case "buflen" -> {
                        IfReq r = new IfReq(ifname);
                        r.buflen = Args.number(Args.arg(args, ++i, a), "buflen", 68, Ifnet.MAX_BUFLEN);
                        sys.ioctl(s, IfIoctl.SIOCSIFBUFLEN, r);
                    }
                    case "inet" -> i = inet(sys, s, ifname, args, i + 1) - 1;
                    case "sockbuf" -> i = sockbuf(sys, s, ifname, args, i + 1) - 1;
                    case "adaptermem" -> i = adaptermem(sys, s, ifname, args, i + 1) - 1;
                    case "tso4", "-tso4" -> {
                        if (!ifname.startsWith("virt")) {
                            err.println("rump.ifconfig: " + ifname + ": no " + a.replace("-", "")
                                    + " capability (only virt interfaces offload)");
                            return 1;
                        }
                        IfReq r = new IfReq(ifname);
                        r.linkstr = a;
                        sys.ioctl(s, IfIoctl.SIOCSLINKSTR, r);
                    }
                    case "delete", "-alias" -> {
                        IfReq r = new IfReq(ifname);
                        r.addr = Args.addr(Args.arg(args, ++i, a).split("/")[0]);
                        sys.ioctl(s, IfIoctl.SIOCDIFADDR, r);
                    }
                    default -> throw new UsageException("unknown command '" + a + "'");
                }
            }
            return 0;
        } finally {
            sys.close(s);
        }
    }

    /**
     * {@code sockbuf SIZE}, {@code sockbuf auto [rate R] [rtt T] [max SIZE]} or {@code sockbuf off}: DART's
     * {@code if_sockbuf} quota (seed 002), handed to the kernel in words, which it parses; returns the next
     * argument index.
     */
    private int sockbuf(Syscalls sys, int s, String ifname, String[] args, int i) throws ErrnoException, UsageException {
        StringBuilder v = new StringBuilder(Args.arg(args, i++, "sockbuf"));
        if (v.toString().equals("auto")) {
            while (i + 1 < args.length && (args[i].equals("rate") || args[i].equals("rtt") || args[i].equals("max"))) {
                v.append(' ').append(args[i]).append(' ').append(args[i + 1]);
                i += 2;
            }
        }
        IfReq r = new IfReq(ifname);
        r.value = v.toString();
        sys.ioctl(s, IfBufferIoctls.SIOCSIFSOCKBUF, r);
        return i;
    }

    /** {@code adaptermem SIZE [minrate R]} or {@code adaptermem off}: the interface's own buffer memory. */
    private int adaptermem(Syscalls sys, int s, String ifname, String[] args, int i) throws ErrnoException, UsageException {
        StringBuilder v = new StringBuilder(Args.arg(args, i++, "adaptermem"));
        if (i + 1 < args.length && args[i].equals("minrate")) {
            v.append(" minrate ").append(args[i + 1]);
            i += 2;
        }
        IfReq r = new IfReq(ifname);
        r.value = v.toString();
        sys.ioctl(s, IfBufferIoctls.SIOCSIFADAPTERMEM, r);
        return i;
    }

    /** {@code -v}'s lines about DART's buffering of {@code ifname}, from {@code net.ifbuffers}. */
    private static void printBuffers(Syscalls sys, String ifname, PrintStream out) throws ErrnoException {
        for (String[] b : Tables.rows(sys, "net.ifbuffers")) {
            if (b[0].equals(ifname)) {
                out.printf("\tsockbuf: %s%s%n", b[1].equals("-") ? "none" : b[1].replace(':', ' '),
                        b[2].equals("0") ? "" : " (baudrate " + b[2] + " bit/s)");
                if (b.length > 9 && !b[3].equals("-")) {
                    out.printf("\tadaptermem: %s bytes, %s in use (peak %s); %s buffers handed out, %s writes to kernel"
                            + " buffers for want of room, %s relocations (%s bytes)%n", b[3], b[4], b[5], b[6], b[7], b[8],
                            b[9]);
                }
            }
        }
    }

    /** {@code inet ADDR[/LEN] [netmask M] [broadcast B] [alias] [delete]}; returns the next argument index. */
    private int inet(Syscalls sys, int s, String ifname, String[] args, int i) throws ErrnoException, UsageException {
        String spec = Args.arg(args, i++, "inet");
        IfReq r = new IfReq(ifname);
        String[] p = spec.split("/");
        r.addr = Args.addr(p[0]);
        if (p.length == 2) {
            r.netmask = Args.netmask(Args.number(p[1], "prefix length", 0, 32));
        }
        boolean delete = false;
        while (i < args.length) {
            switch (args[i]) {
                case "netmask" -> r.netmask = Args.addr(Args.arg(args, ++i, "netmask"));
                case "broadcast" -> r.broadaddr = Args.addr(Args.arg(args, ++i, "broadcast"));
                case "alias" -> { }
                case "delete", "-alias" -> delete = true;
                default -> {
                    sys.ioctl(s, delete ? IfIoctl.SIOCDIFADDR : IfIoctl.SIOCAIFADDR, r);
                    return i;
                }
            }
            i++;
        }
        sys.ioctl(s, delete ? IfIoctl.SIOCDIFADDR : IfIoctl.SIOCAIFADDR, r);
        return i;
    }
}
