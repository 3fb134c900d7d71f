package io.jrump.tools;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.kern.sysctl.KinfoSocket;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code rump.sockstat}, as NetBSD's sockstat(1): every socket with its owner and addresses, from the
 * {@code kern.sockets} records read in one call, and the frames each socket's Lazy Receiver Processing
 * channel dropped because it was full (DROPS, from {@code net.inet.lrp.sockets}; seed 003).
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
        out.printf("%-8s %-10s %5s %3s %-6s %-21s %-21s %6s%n", "USER", "COMMAND", "PID", "FD", "PROTO", "LOCAL ADDRESS",
                "FOREIGN ADDRESS", "DROPS");
        Map<String, String> drops = channelDrops(sys);
        ByteBuffer b = Tables.records(sys, "kern.sockets", KinfoSocket.SIZE);
        KinfoSocket r = new KinfoSocket();
        for (int at = 0; at + KinfoSocket.SIZE <= b.limit(); at += KinfoSocket.SIZE) {
            r.read(b, at);
            String proto = r.type == SocketDefs.SOCK_STREAM ? "tcp4" : r.type == SocketDefs.SOCK_DGRAM ? "udp4" : "raw4";
            String user = r.uid == 0 ? "root" : Integer.toString(r.uid);
            String command = r.comm.isEmpty() ? "?" : r.comm.replaceAll("\\s", "_");
            String key = proto.substring(0, 3) + " " + SockAddr.format(r.laddr) + " " + r.lport + " "
                    + SockAddr.format(r.faddr) + " " + r.fport;
            out.printf("%-8s %-10s %5d %3s %-6s %-21s %-21s %6s%n", user, command, r.pid, r.fd < 0 ? "-" : Integer.toString(r.fd),
                    proto, addr(r.laddr, r.lport), addr(r.faddr, r.fport), drops.getOrDefault(key, "0"));
        }
        return 0;
    }

    /**
     * Frames each socket's Lazy Receiver Processing channel dropped because it was full ({@code
     * net.inet.lrp.sockets}: proto laddr lport faddr fport queued drops waiting), by the socket's addresses;
     * empty on a kernel without it (sockin).
     */
    private static Map<String, String> channelDrops(Syscalls sys) {
        Map<String, String> m = new HashMap<>();
        String table;
        try {
            table = sys.sysctlRead("net.inet.lrp.sockets");
        } catch (ErrnoException e) {
            return m;
        }
        for (String line : table.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 7) {
                m.put(f[0] + " " + f[1] + " " + f[2] + " " + f[3] + " " + f[4], f[6]);
            }
        }
        return m;
    }

    private static String addr(int a, int p) {
        return (a == 0 ? "*" : SockAddr.format(a)) + ":" + (p == 0 ? "*" : Integer.toString(p));
    }
}
