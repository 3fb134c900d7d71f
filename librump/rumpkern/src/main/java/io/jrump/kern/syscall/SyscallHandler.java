package io.jrump.kern.syscall;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.sched.Lwp;

/** The kernel side of one syscall number ({@code sy_call}); returns the syscall's integer result. */
@FunctionalInterface
public interface SyscallHandler {
    long call(Lwp l, SyscallArgs a) throws ErrnoException;
}
