package io.jrump.tools;

import com.google.common.base.Splitter;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.syscall.Syscalls;
import java.util.ArrayList;
import java.util.List;

/** Reading the kernel's sysctl tables: one entry per line, fields separated by spaces. */
final class Tables {
    private static final Splitter LINES = Splitter.on('\n').trimResults().omitEmptyStrings();

    private Tables() {
    }

    static List<String[]> rows(Syscalls sys, String table) throws ErrnoException {
        List<String[]> out = new ArrayList<>();
        for (String line : LINES.split(sys.sysctlRead(table))) {
            out.add(line.split(" "));
        }
        return out;
    }
}
