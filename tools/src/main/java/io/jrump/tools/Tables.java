package io.jrump.tools;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.syscall.Syscalls;
import java.util.ArrayList;
import java.util.List;

/** Reading the kernel's sysctl tables: one entry per line, fields separated by spaces. */
final class Tables {
    private Tables() {
    }

    static List<String[]> rows(Syscalls sys, String table) throws ErrnoException {
        List<String[]> out = new ArrayList<>();
        for (String line : sys.sysctlRead(table).split("\n")) {
            if (!line.isBlank()) {
                out.add(line.trim().split(" "));
            }
        }
        return out;
    }

    static int parseAddr(String s) throws Tool.UsageException {
        try {
            return io.jrump.kern.syscall.SockAddr.in(s, 0).addr;
        } catch (IllegalArgumentException e) {
            throw new Tool.UsageException("bad address '" + s + "'");
        }
    }

    static int parseAddrUnchecked(String s) {
        return io.jrump.kern.syscall.SockAddr.in(s, 0).addr;
    }

    static String fmt(int a) {
        return io.jrump.kern.syscall.SockAddr.format(a);
    }

    static int parseInt(String s, String what, int min, int max) throws Tool.UsageException {
        try {
            int v = Integer.parseInt(s);
            if (v < min || v > max) {
                throw new Tool.UsageException(what + " must be " + min + ".." + max + ", not " + s);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new Tool.UsageException(what + " must be a number, not '" + s + "'");
        }
    }

    static int netmask(int len) {
        return len == 0 ? 0 : (int) (0xffffffffL << (32 - len));
    }
}
