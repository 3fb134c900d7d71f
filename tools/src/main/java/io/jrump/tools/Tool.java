package io.jrump.tools;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.syscall.Syscalls;
import java.io.PrintStream;

/**
 * One rump.* program: runs with a {@link Syscalls} (in-process or through RUMP_SERVER), its arguments
 * and its output streams, and returns the exit status. Keeping programs to this shape lets the tests
 * run them against a kernel in the same JVM, and the launcher run them against a remote one.
 */
public interface Tool {
    /** The NetBSD name without the {@code rump.} prefix. */
    String name();

    /** One line of usage, printed on a bad flag. */
    String usage();

    int run(Syscalls sys, String[] args, PrintStream out, PrintStream err) throws ErrnoException, UsageException;

    /** Signals a bad command line; the launcher prints the message and the usage and exits 1. */
    final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        public UsageException(String message) {
            super(message, null, false, false);
        }
    }
}
