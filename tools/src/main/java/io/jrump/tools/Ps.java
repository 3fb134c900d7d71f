package io.jrump.tools;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.sched.ProcTable;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.kern.sysctl.KinfoProc;
import java.io.PrintStream;
import java.nio.ByteBuffer;

/**
 * {@code rump.ps}, as NetBSD's {@code ps -axl} cut to what a rump kernel keeps: every process from the
 * {@code kern.proc.all} records read in one call, with NetBSD's column names ({@code UID PID PPID NLWP CPU PRI
 * NI TIME COMMAND}; {@code CPU} is {@code estcpu}, the recent CPU use the priority decays with) and one more,
 * {@code PROTO}, the part of {@code TIME} spent on protocol processing charged to the process (LRP, issue 18).
 * Times print as {@code ps} prints them, minutes, seconds and hundredths. {@code -p pid} and {@code -U uid}
 * select.
 */
public final class Ps implements Tool {
    static final String FORMAT = "%5s %5s %5s %4s %3s %3s %3s %8s %8s %s%n";

    @Override
    public String name() {
        return "ps";
    }

    @Override
    public String usage() {
        return "usage: rump.ps [-p pid] [-U uid]";
    }

    @Override
    public int run(Syscalls sys, String[] args, PrintStream out, PrintStream err)
            throws ErrnoException, UsageException {
        int pid = -1;
        int uid = -1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-p" -> pid = number(Args.arg(args, ++i, "-p"));
                case "-U" -> uid = number(Args.arg(args, ++i, "-U"));
                default -> throw new UsageException("unknown option " + args[i]);
            }
        }
        ByteBuffer b = Tables.records(sys, ProcTable.NAME, KinfoProc.SIZE);
        out.printf(FORMAT, "UID", "PID", "PPID", "NLWP", "CPU", "PRI", "NI", "TIME", "PROTO", "COMMAND");
        KinfoProc r = new KinfoProc();
        for (int at = 0; at + KinfoProc.SIZE <= b.limit(); at += KinfoProc.SIZE) {
            r.read(b, at);
            if (pid >= 0 && r.pid != pid || uid >= 0 && r.uid != uid) {
                continue;
            }
            out.printf(FORMAT, r.uid, r.pid, r.ppid, r.nlwp, r.estcpu, r.pri, r.nice, time(r.cpuNanos),
                    time(r.protoNanos), r.comm.isEmpty() ? "?" : r.comm);
        }
        return 0;
    }

    /** {@code ps}'s {@code TIME}: {@code M:SS.hh}. */
    static String time(long nanos) {
        long hundredths = nanos / 10_000_000L;
        long secs = hundredths / 100;
        return String.format("%d:%02d.%02d", secs / 60, secs % 60, hundredths % 100);
    }

    private static int number(String s) throws UsageException {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new UsageException("not a number: " + s);
        }
    }
}
