package io.jrump.tools;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.net.IfIoctl;
import io.jrump.netinet.arp.ArpReq;
import java.io.PrintStream;

/** {@code rump.arp}, as NetBSD's arp(8): {@code -a}, {@code -s HOST MAC}, {@code -d HOST}. */
public final class ArpTool implements Tool {
    @Override
    public String name() {
        return "arp";
    }

    @Override
    public String usage() {
        return "usage: rump.arp [-n] -a | -s host mac | -d host";
    }

    @Override
    public int run(Syscalls sys, String[] args, PrintStream out, PrintStream err) throws ErrnoException, UsageException {
        int i = Args.command(args);
        switch (args[i]) {
            case "-a" -> {
                for (String[] r : Tables.rows(sys, "net.inet.arp.table")) {
                    out.printf("? (%s) at %s on %s%s%n", r[0], r[1], r[2], r[3].equals("permanent") ? " permanent" : "");
                }
                return 0;
            }
            case "-s", "-d" -> {
                ArpReq r = new ArpReq();
                r.addr = Args.addr(Args.arg(args, i + 1, args[i]));
                if (args[i].equals("-s")) {
                    String mac = Args.arg(args, i + 2, "-s host");
                    try {
                        r.mac = io.jrump.wire.MacAddress.parse(mac);
                    } catch (IllegalArgumentException e) {
                        throw new UsageException("bad MAC address '" + mac + "'");
                    }
                }
                int s = sys.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
                try {
                    sys.ioctl(s, args[i].equals("-s") ? IfIoctl.SIOCSARP : IfIoctl.SIOCDARP, r);
                } finally {
                    sys.close(s);
                }
                if (args[i].equals("-d")) {
                    out.println(args[i + 1] + " (" + args[i + 1] + ") deleted");
                }
                return 0;
            }
            default -> throw new UsageException("unknown flag " + args[i]);
        }
    }
}
