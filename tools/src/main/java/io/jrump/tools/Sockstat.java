package io.jrump.tools;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import java.io.PrintStream;

/** {@code rump.sockstat}, as NetBSD's sockstat(1): every socket with its owner and addresses. */
public final class Sockstat implements Tool {
    @Override
    public String name() {
        return "sockstat";
    }

    @Override
    public String usage() {
        return "usage: rump.sockstat [-n]";
    }

    @Override
    public int run(Syscalls sys, String[] args, PrintStream out, PrintStream err) throws ErrnoException, UsageException {
        Args.onlyFlags(args, "-n", "-4");
        out.printf("%-8s %-10s %5s %3s %-6s %-21s %-21s%n", "USER", "COMMAND", "PID", "FD", "PROTO", "LOCAL ADDRESS",
                "FOREIGN ADDRESS");
        for (String[] r : Tables.rows(sys, "kern.sockets")) {
            int type = Integer.parseInt(r[5]);
            String proto = type == SocketDefs.SOCK_STREAM ? "tcp4" : type == SocketDefs.SOCK_DGRAM ? "udp4" : "raw4";
            String user = r[0].equals("0") ? "root" : r[0];
            out.printf("%-8s %-10s %5s %3s %-6s %-21s %-21s%n", user, r[2], r[1], r[3], proto, addr(r[7], r[8]),
                    addr(r[9], r[10]));
        }
        return 0;
    }

    private static String addr(String a, String p) {
        return (a.equals("0.0.0.0") ? "*" : a) + ":" + (p.equals("0") ? "*" : p);
    }
}
