package io.jrump.tools;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.net.IfIoctl;
import io.jrump.net.RtReq;
import java.io.PrintStream;

/**
 * {@code rump.route}, as NetBSD's route(8): {@code add [-net|-host] DEST[/LEN] GATEWAY} (or
 * {@code -interface IF}), {@code delete DEST[/LEN]}, {@code [-n] show}.
 */
public final class RouteTool implements Tool {
    @Override
    public String name() {
        return "route";
    }

    @Override
    public String usage() {
        return "usage: rump.route [-n] add|delete [-net|-host] dest[/len] [gateway | -interface if] | [-n] show";
    }

    @Override
    public int run(Syscalls sys, String[] args, PrintStream out, PrintStream err) throws ErrnoException, UsageException {
        int i = Args.command(args);
        String cmd = args[i++];
        if (cmd.equals("show") || cmd.equals("get")) {
            return new Netstat().run(sys, new String[] {"-rn"}, out, err);
        }
        if (!cmd.equals("add") && !cmd.equals("delete")) {
            throw new UsageException("unknown command " + cmd);
        }
        boolean host = false;
        RtReq r = new RtReq();
        String dest = null;
        String gw = null;
        for (; i < args.length; i++) {
            switch (args[i]) {
                case "-net" -> host = false;
                case "-host" -> host = true;
                case "-interface", "-iface" -> r.ifname = Args.arg(args, ++i, "-interface");
                default -> {
                    if (dest == null) {
                        dest = args[i];
                    } else if (gw == null) {
                        gw = args[i];
                    } else {
                        throw new UsageException("unexpected " + args[i]);
                    }
                }
            }
        }
        if (dest == null) {
            throw new UsageException("no destination");
        }
        if (dest.equals("default")) {
            r.dst = 0;
            r.prefixLen = 0;
        } else {
            String[] p = dest.split("/");
            r.dst = Args.addr(p[0]);
            r.prefixLen = p.length == 2 ? Args.number(p[1], "prefix length", 0, 32) : host ? 32 : 24;
            r.dst &= Args.netmask(r.prefixLen);
        }
        if (gw != null) {
            r.gateway = Args.addr(gw);
        } else if (cmd.equals("add") && r.ifname == null) {
            throw new UsageException("add needs a gateway or -interface");
        }
        int s = sys.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
        try {
            sys.ioctl(s, cmd.equals("add") ? IfIoctl.SIOCADDRT : IfIoctl.SIOCDELRT, r);
        } finally {
            sys.close(s);
        }
        String what = r.prefixLen == 32 ? "host" : "net";
        out.printf("%s %s %s%s%n", cmd, what, dest, gw != null ? ": gateway " + gw : r.ifname != null ? ": interface " + r.ifname : "");
        return 0;
    }
}
