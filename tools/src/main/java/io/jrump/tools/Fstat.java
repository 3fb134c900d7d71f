package io.jrump.tools;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.file.OpenFilesTable;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.kern.sysctl.KinfoFile;
import io.jrump.kern.sysctl.KinfoSocket;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code rump.fstat}, as NetBSD's fstat(1): every open descriptor of every process, from the
 * {@code kern.files} records read in one call, each process's current directory ({@code wd}) and
 * changed root ({@code root}) first. A file shows its mount point, file number, mode, and
 * size (a device its major and minor) and the access it was opened for; a socket shows its domain,
 * type and protocol and, from {@code kern.sockets}, its addresses, marked with {@code *} after the
 * descriptor as NetBSD marks it. {@code -p pid} and {@code -u uid} select; {@code -n} prints the mode
 * in octal.
 */
public final class Fstat implements Tool {
    private static final String HEADER = "%-8s %-10s %5s %4s %-10s %6s %-11s %6s %-3s%n";

    @Override
    public String name() {
        return "fstat";
    }

    @Override
    public String usage() {
        return "usage: rump.fstat [-n] [-p pid] [-u uid]";
    }

    @Override
    public int run(Syscalls sys, String[] args, PrintStream out, PrintStream err) throws ErrnoException, UsageException {
        boolean numeric = false;
        int pid = -1;
        int uid = -1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-n" -> numeric = true;
                case "-p" -> pid = number(Args.arg(args, ++i, "-p"));
                case "-u" -> uid = number(Args.arg(args, ++i, "-u"));
                default -> throw new UsageException("unknown option " + args[i]);
            }
        }
        ByteBuffer socks = Tables.recordsIfAny(sys, "kern.sockets", KinfoSocket.SIZE);
        Map<Long, KinfoSocket> byDescriptor = new HashMap<>();
        for (int at = 0; socks != null && at + KinfoSocket.SIZE <= socks.limit(); at += KinfoSocket.SIZE) {
            KinfoSocket s = new KinfoSocket().read(socks, at);
            if (s.fd >= 0) {
                byDescriptor.put(key(s.pid, s.fd), s);
            }
        }
        ByteBuffer b = Tables.records(sys, OpenFilesTable.NAME, KinfoFile.SIZE);
        out.printf(HEADER, "USER", "CMD", "PID", "FD", "MOUNT", "INUM", "MODE", "SZ|DV", "R/W");
        KinfoFile r = new KinfoFile();
        for (int at = 0; at + KinfoFile.SIZE <= b.limit(); at += KinfoFile.SIZE) {
            r.read(b, at);
            if (pid >= 0 && r.pid != pid || uid >= 0 && r.uid != uid) {
                continue;
            }
            String user = FsTool.user(r.uid);
            String cmd = r.comm.isEmpty() ? "?" : r.comm.replaceAll("\\s", "_");
            if (r.kind == 's') {
                out.printf("%-8s %-10s %5d %4s %s%n", user, cmd, r.pid, r.fd + "*",
                        socket(byDescriptor.get(key(r.pid, r.fd))));
                continue;
            }
            if (r.kind != '-') {
                out.printf("%-8s %-10s %5d %4d %s%n", user, cmd, r.pid, r.fd, "unknown file type " + (char) r.kind);
                continue;
            }
            String mode = numeric ? Integer.toOctalString(r.mode) : FsTool.modeString(r.mode);
            String szdv = r.rdev != KinfoFile.NONE ? (r.rdev >>> 8 & 0xfff) + "," + (r.rdev & 0xff | (r.rdev >>> 12 & 0xfff00))
                    : r.size != KinfoFile.NONE ? Long.toString(r.size) : "-";
            String rw = ((r.rw & KinfoFile.R) != 0 ? "r" : "") + ((r.rw & KinfoFile.W) != 0 ? "w" : "");
            String fd = r.fd == KinfoFile.FD_CWD ? "wd" : r.fd == KinfoFile.FD_ROOT ? "root" : Integer.toString(r.fd);
            out.printf(HEADER, user, cmd, Integer.toString(r.pid), fd,
                    r.mount.isEmpty() ? "-" : r.mount, r.fileid == KinfoFile.NONE ? "-" : Long.toString(r.fileid),
                    mode, szdv, rw.isEmpty() ? "-" : rw);
        }
        return 0;
    }

    private static long key(int pid, int fd) {
        return (long) pid << 32 | (fd & 0xffffffffL);
    }

    private static int number(String s) throws UsageException {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new UsageException("not a number: " + s);
        }
    }

    /** NetBSD's {@code internet dgram udp *:5353}, with the peer after {@code <->} when connected. */
    private static String socket(KinfoSocket s) {
        if (s == null) {
            return "socket";
        }
        String domain = s.family == SocketDefs.AF_INET ? "internet" : "domain " + s.family;
        String type = s.type == SocketDefs.SOCK_STREAM ? "stream" : s.type == SocketDefs.SOCK_DGRAM ? "dgram" : "raw";
        String proto = s.type == SocketDefs.SOCK_STREAM ? "tcp" : s.type == SocketDefs.SOCK_DGRAM ? "udp"
                : Integer.toString(s.protocol);
        String line = domain + " " + type + " " + proto + " " + addr(s.laddr, s.lport);
        return s.faddr != 0 || s.fport != 0 ? line + " <-> " + addr(s.faddr, s.fport) : line;
    }

    private static String addr(int a, int p) {
        return (a == 0 ? "*" : SockAddr.format(a)) + ":" + (p == 0 ? "*" : Integer.toString(p));
    }
}
