package io.jrump.tools;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.kern.sysctl.KinfoSocket;
import java.io.PrintStream;
import java.nio.ByteBuffer;

/**
 * {@code rump.sockstat}, as NetBSD's sockstat(1): every socket with its owner and addresses, from the
 * {@code kern.sockets} records read in one call.
 */
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
        ByteBuffer b = Tables.records(sys, "kern.sockets", KinfoSocket.SIZE);
        KinfoSocket r = new KinfoSocket();
        for (int at = 0; at + KinfoSocket.SIZE <= b.limit(); at += KinfoSocket.SIZE) {
            r.read(b, at);
            String proto = r.type == SocketDefs.SOCK_STREAM ? "tcp4" : r.type == SocketDefs.SOCK_DGRAM ? "udp4" : "raw4";
            String user = r.uid == 0 ? "root" : Integer.toString(r.uid);
            String command = r.comm.isEmpty() ? "?" : r.comm.replaceAll("\\s", "_");
            out.printf("%-8s %-10s %5d %3s %-6s %-21s %-21s%n", user, command, r.pid, r.fd < 0 ? "-" : Integer.toString(r.fd),
                    proto, addr(r.laddr, r.lport), addr(r.faddr, r.fport));
        }
        return 0;
    }

    private static String addr(int a, int p) {
        return (a == 0 ? "*" : SockAddr.format(a)) + ":" + (p == 0 ? "*" : Integer.toString(p));
    }
}
