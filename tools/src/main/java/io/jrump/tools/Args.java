package io.jrump.tools;

import com.google.common.primitives.Ints;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.tools.Tool.UsageException;
import java.util.List;

/**
 * The values on the rump.* programs' command lines: a flag's operand, IPv4 addresses, numbers in a
 * range, prefix lengths. Addresses are read as the kernel reads them ({@link SockAddr#in(String, int)},
 * Guava's {@code InetAddresses}): four decimal parts without leading zeros, no host names.
 */
final class Args {
    private Args() {
    }

    /** The operand {@code args[i]} of flag {@code after}. */
    static String arg(String[] args, int i, String after) throws UsageException {
        if (i >= args.length) {
            throw new UsageException("'" + after + "' needs a value");
        }
        return args[i];
    }

    /** Checks that {@code args} are all among {@code allowed}: flags that change nothing here. */
    static void onlyFlags(String[] args, String... allowed) throws UsageException {
        List<String> ok = List.of(allowed);
        for (String a : args) {
            if (!ok.contains(a)) {
                throw new UsageException("unknown flag " + a);
            }
        }
    }

    /**
     * Where the command word stands: after any {@code -n} (numeric output, which is all these programs
     * print); a usage error if there is none.
     */
    static int command(String[] args) throws UsageException {
        int i = 0;
        while (i < args.length && args[i].equals("-n")) {
            i++;
        }
        if (i == args.length) {
            throw new UsageException("no command");
        }
        return i;
    }

    /** A dotted-quad IPv4 address as an int in host order, or null if {@code s} is not one. */
    static Integer ipv4(String s) {
        try {
            return SockAddr.in(s, 0).addr;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** {@link #ipv4}, a usage error if {@code s} is not an address. */
    static int addr(String s) throws UsageException {
        Integer a = ipv4(s);
        if (a == null) {
            throw new UsageException("bad address '" + s + "'");
        }
        return a;
    }

    /** A decimal {@code what} between {@code min} and {@code max}. */
    static int number(String s, String what, int min, int max) throws UsageException {
        Integer v = Ints.tryParse(s);
        if (v == null) {
            throw new UsageException(what + " must be a number, not '" + s + "'");
        }
        if (v < min || v > max) {
            throw new UsageException(what + " must be " + min + ".." + max + ", not " + s);
        }
        return v;
    }

    /** The netmask of a prefix of {@code len} bits. */
    static int netmask(int len) {
        return len == 0 ? 0 : (int) (0xffffffffL << (32 - len));
    }
}
