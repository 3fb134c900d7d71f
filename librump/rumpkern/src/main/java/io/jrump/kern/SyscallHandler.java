package io.jrump.kern;

/** The kernel side of one syscall number ({@code sy_call}); returns the syscall's integer result. */
@FunctionalInterface
public interface SyscallHandler {
    long call(Lwp l, SyscallArgs a) throws ErrnoException;
}
