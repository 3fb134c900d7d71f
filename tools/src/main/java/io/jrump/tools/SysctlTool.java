package io.jrump.tools;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.sysctl.SysctlEntry;
import io.jrump.kern.syscall.Syscalls;
import java.io.PrintStream;

/** {@code rump.sysctl}, as NetBSD's sysctl(8): {@code -a}, {@code NAME...}, {@code -w NAME=VALUE}, {@code -n}. */
public final class SysctlTool implements Tool {
    @Override
    public String name() {
        return "sysctl";
    }

    @Override
    public String usage() {
        return "usage: rump.sysctl [-n] -a | [-n] name ... | -w name=value ...";
    }

    @Override
    public int run(Syscalls sys, String[] args, PrintStream out, PrintStream err) throws ErrnoException, UsageException {
        boolean values = false;
        boolean write = false;
        int i = 0;
        for (; i < args.length && args[i].startsWith("-"); i++) {
            switch (args[i]) {
                case "-a" -> {
                    for (SysctlEntry e : sys.sysctlList("")) {
                        out.println(values ? e.value() : e.name() + " = " + e.value());
                    }
                    return 0;
                }
                case "-n" -> values = true;
                case "-w" -> write = true;
                default -> throw new UsageException("unknown flag " + args[i]);
            }
        }
        if (i == args.length) {
            throw new UsageException("no name");
        }
        int status = 0;
        for (; i < args.length; i++) {
            String a = args[i];
            try {
                int eq = a.indexOf('=');
                if (write || eq > 0) {
                    if (eq <= 0) {
                        throw new UsageException("-w needs name=value, not '" + a + "'");
                    }
                    String name = a.substring(0, eq);
                    String old = sys.sysctlWrite(name, a.substring(eq + 1));
                    out.println(values ? a.substring(eq + 1) : name + ": " + old + " -> " + a.substring(eq + 1));
                } else {
                    for (SysctlEntry e : sys.sysctlList(a)) {
                        out.println(values ? e.value() : e.name() + " = " + e.value());
                    }
                }
            } catch (ErrnoException e) {
                err.println("rump.sysctl: " + a + ": " + io.jrump.hypercall.Errno.message(e.errno()));
                status = 1;
            }
        }
        return status;
    }
}
