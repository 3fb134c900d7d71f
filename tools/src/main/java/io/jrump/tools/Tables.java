package io.jrump.tools;

import com.google.common.base.Splitter;
import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.syscall.Syscalls;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Reading the kernel's sysctl tables: the record arrays ({@code net.inet.tcp.pcblist}, {@code kern.sockets})
 * in binary, and the small text tables (routes, interfaces, ARP) one entry per line, fields separated by
 * spaces.
 */
final class Tables {
    private static final Splitter LINES = Splitter.on('\n').trimResults().omitEmptyStrings();
    /** Reads of a record table tried before giving up on a table that keeps outgrowing its size query. */
    private static final int ATTEMPTS = 5;

    private Tables() {
    }

    /**
     * A record table, read as NetBSD's netstat reads {@code pcblist}: a first call without a buffer
     * says how much room the table needs (with some to spare), a second fills a buffer of that size; if
     * the table outgrew it meanwhile (ENOMEM) the two calls are made again. Returns the records, each
     * {@code elemSize} bytes, from position 0 to the limit.
     */
    static ByteBuffer records(Syscalls sys, String table, int elemSize) throws ErrnoException {
        for (int attempt = 1; ; attempt++) {
            long need = sys.sysctlGet(table, elemSize, null);
            ByteBuffer b = ByteBuffer.allocate((int) Math.min(need, Integer.MAX_VALUE - 8));
            try {
                sys.sysctlGet(table, elemSize, b);
                return b.flip();
            } catch (ErrnoException e) {
                if (e.errno() != Errno.ENOMEM || attempt == ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /** {@link #records}, or null when the kernel has no table by that name (rumpnet_sockin keeps no pcbs). */
    static ByteBuffer recordsIfAny(Syscalls sys, String table, int elemSize) throws ErrnoException {
        try {
            return records(sys, table, elemSize);
        } catch (ErrnoException e) {
            if (e.errno() == Errno.ENOENT) {
                return null;
            }
            throw e;
        }
    }

    static List<String[]> rows(Syscalls sys, String table) throws ErrnoException {
        List<String[]> out = new ArrayList<>();
        for (String line : LINES.split(sys.sysctlRead(table))) {
            out.add(line.split(" "));
        }
        return out;
    }
}
