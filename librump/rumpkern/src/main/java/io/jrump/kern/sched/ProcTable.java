package io.jrump.kern.sched;

import io.jrump.kern.Kernel;
import io.jrump.kern.sysctl.KinfoProc;
import io.jrump.kern.sysctl.SysctlRecords;

/**
 * {@code kern.proc.all}: every process as a {@link KinfoProc} record, which {@code ps} prints (NetBSD's
 * {@code kern.proc2} with {@code KERN_PROC_ALL}): its credentials, lwps, scheduling state and the CPU time
 * spent for it, with the part spent on protocol processing (LRP seed 003: processing is charged to the
 * application that receives).
 */
public final class ProcTable {
    /** The sysctl name. */
    public static final String NAME = "kern.proc.all";

    private ProcTable() {
    }

    public static void records(Kernel k, SysctlRecords out) {
        KinfoProc r = new KinfoProc();
        for (Proc p : k.procs()) {
            r.uid = p.cred().uid();
            r.pid = p.pid();
            r.ppid = p.ppid();
            r.nlwp = p.lwpCount();
            r.pri = p.priority();
            r.nice = p.nice();
            r.estcpu = p.estcpu();
            r.flags = p.exiting() ? KinfoProc.F_EXITING : 0;
            r.cpuNanos = p.cpuNanos();
            r.userNanos = p.userNanos();
            r.protoNanos = p.protoNanos();
            r.comm = p.name();
            out.add(r);
        }
    }
}
