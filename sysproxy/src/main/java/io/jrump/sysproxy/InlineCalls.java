package io.jrump.sysproxy;

import static io.jrump.kern.syscall.SyscallNumbers.*;

/**
 * Syscalls that never sleep, which the thread that read the request runs itself instead of first
 * handing the reading of the connection to another thread. A call that may block (a receive, a poll)
 * must not hold up the connection's other lwps, but for these the hand-off would only add a thread
 * wake-up to the round trip that {@code RttBench} measures.
 */
final class InlineCalls {
    private InlineCalls() {
    }

    static boolean neverSleeps(int sysno) {
        return switch (sysno) {
            case SYS_getpid, SYS_getppid, SYS_getuid, SYS_geteuid, SYS_getgid, SYS_getegid -> true;
            default -> false;
        };
    }
}
