package io.jrump.tools;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.module.ModStat;
import io.jrump.kern.syscall.Syscalls;
import java.io.PrintStream;

/** {@code rump.modstat}, {@code rump.modload}, {@code rump.modunload}, as NetBSD's module tools. */
final class Modtools {
    private Modtools() {
    }

    static final class Modstat implements Tool {
        @Override
        public String name() {
            return "modstat";
        }

        @Override
        public String usage() {
            return "usage: rump.modstat [name]";
        }

        @Override
        public int run(Syscalls sys, String[] args, PrintStream out, PrintStream err) throws ErrnoException, UsageException {
            if (args.length > 1 || args.length == 1 && args[0].startsWith("-")) {
                throw new UsageException("unexpected arguments");
            }
            out.printf("%-20s %-9s %-8s %4s %s%n", "NAME", "CLASS", "SOURCE", "REFS", "REQUIRES");
            for (ModStat m : sys.modstat()) {
                if (args.length == 1 && !m.name().equals(args[0])) {
                    continue;
                }
                out.printf("%-20s %-9s %-8s %4d %s%n", m.name(), m.level().toLowerCase(java.util.Locale.ROOT), m.source(),
                        m.refs(), m.requires().isEmpty() ? "-" : String.join(",", m.requires()));
            }
            return 0;
        }
    }

    static final class Modload implements Tool {
        @Override
        public String name() {
            return "modload";
        }

        @Override
        public String usage() {
            return "usage: rump.modload name";
        }

        @Override
        public int run(Syscalls sys, String[] args, PrintStream out, PrintStream err) throws ErrnoException, UsageException {
            if (args.length != 1 || args[0].startsWith("-")) {
                throw new UsageException("one module name");
            }
            sys.modload(args[0]);
            return 0;
        }
    }

    static final class Modunload implements Tool {
        @Override
        public String name() {
            return "modunload";
        }

        @Override
        public String usage() {
            return "usage: rump.modunload name";
        }

        @Override
        public int run(Syscalls sys, String[] args, PrintStream out, PrintStream err) throws ErrnoException, UsageException {
            if (args.length != 1 || args[0].startsWith("-")) {
                throw new UsageException("one module name");
            }
            sys.modunload(args[0]);
            return 0;
        }
    }

    static final class Halt implements Tool {
        @Override
        public String name() {
            return "halt";
        }

        @Override
        public String usage() {
            return "usage: rump.halt [-p]";
        }

        @Override
        public int run(Syscalls sys, String[] args, PrintStream out, PrintStream err) throws ErrnoException, UsageException {
            Args.onlyFlags(args, "-p", "-n", "-q");
            sys.reboot(Syscalls.RB_HALT);
            return 0;
        }
    }
}
