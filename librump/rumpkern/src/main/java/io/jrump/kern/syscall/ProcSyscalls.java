package io.jrump.kern.syscall;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.sched.Lwp;
import io.jrump.kern.sched.Proc;

/**
 * {@link Syscalls} for one process, entering the kernel the rump way: the calling host thread gets an
 * lwp of the process (kept per thread and reused), is bound to it through the hypercall layer, takes
 * a virtual CPU, dispatches through the numbered table, and gives everything back on return. The
 * methods are the generated {@link SyscallStubs}, which fill the lwp's own {@link SyscallArgs}; this
 * class is only their local transport, so an in-process call allocates nothing.
 */
public final class ProcSyscalls extends SyscallStubs<Lwp> {
    private final Kernel kernel;
    private final Proc proc;
    private final ThreadLocal<Lwp> lwps = new ThreadLocal<>();

    public ProcSyscalls(Kernel kernel, Proc proc) {
        this.kernel = kernel;
        this.proc = proc;
    }

    @Override
    protected Lwp enter(int number) {
        Lwp l = kernel.curlwp();
        if (l == null || l.proc() != proc) {
            l = lwps.get();
            if (l == null) {
                l = proc.newLwp(Thread.currentThread().getName());
                lwps.set(l);
            }
        }
        if (l.cpu() != null) {
            kernel.scheduler().schedule(l, null);
            return l;
        }
        l.args.clear();
        l.saved = kernel.hypercall().threads().curLwp();
        kernel.hypercall().threads().setCurLwp(l);
        kernel.scheduler().schedule(l, null);
        l.syscallEntered();
        return l;
    }

    private void leave(Lwp l) {
        if (l.nesting() > 0) {
            kernel.scheduler().unschedule(l);
            return;
        }
        kernel.scheduler().unschedule(l);
        Object prev = l.saved;
        l.saved = null;
        kernel.hypercall().threads().setCurLwp(prev);
        l.syscallReturned();
    }

    @Override
    protected SyscallArgs args(Lwp l) {
        return l.args;
    }

    @Override
    protected long invoke(int number, Lwp l) throws ErrnoException {
        try {
            return kernel.syscallTable().invoke(number, l, l.args);
        } finally {
            leave(l);
        }
    }

    @Override
    public long syscall(int number, SyscallArgs args) throws ErrnoException {
        Lwp l = enter(number);
        try {
            return kernel.syscallTable().invoke(number, l, args);
        } finally {
            leave(l);
        }
    }
}
