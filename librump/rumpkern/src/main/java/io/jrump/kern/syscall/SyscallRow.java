package io.jrump.kern.syscall;

import java.util.List;

/**
 * One row of the syscall table as the program sees it at run time: its NetBSD number and name, the
 * component that establishes it, the {@link Syscalls} methods that enter it and, per argument slot,
 * what the slot holds and which way it goes. The rows come from the {@link Syscall} annotations
 * through the generated {@link SyscallRows}; nothing else lists syscalls.
 *
 * <p>The argument kinds and directions drive the remote codec: a {@link Kind#BUFFER} the kernel
 * fills ({@link Dir#OUT}) travels as a size and comes back as bytes, one it reads travels as bytes and
 * comes back as a count; a {@link Kind#BUFFERS} the same, for the buffers' bytes in order; a {@link Kind#VALUE} the kernel writes ({@link Dir#OUT}, {@link Dir#INOUT})
 * comes back and is copied into the caller's object. {@link #args()} lists, for a row several methods
 * enter, the union of their slots.
 */
public final class SyscallRow {
    /**
     * How an argument travels: a number in {@code i[k]}, a byte buffer, an array of byte buffers (the
     * iovec of {@code readv}/{@code writev}, gathered into one run of bytes on the wire), or another
     * object by value.
     */
    public enum Kind { INT, BUFFER, BUFFERS, VALUE }

    /** What the kernel does with an argument: reads it, writes it, or both. */
    public enum Dir { IN, OUT, INOUT }

    /**
     * One argument slot; {@code name} is the parameter's name in {@link Syscalls}. {@code whole}: a
     * buffer the kernel fills in one call or fails ({@code @Syscall.Out(whole = true)}, a sysctl table),
     * which a remote call therefore carries whole rather than at most a read's worth.
     */
    public record Arg(int slot, Kind kind, Dir dir, String name, Class<?> type, boolean whole) {
        public Arg(int slot, Kind kind, Dir dir, String name, Class<?> type) {
            this(slot, kind, dir, name, type, false);
        }
    }

    private static final SyscallRow[] BY_NUMBER = new SyscallRow[SyscallNumbers.SYS_MAXSYSCALL];

    static {
        for (SyscallRow r : SyscallRows.ALL) {
            BY_NUMBER[r.number] = r;
        }
    }

    private final int number;
    private final String name;
    private final String component;
    private final boolean sleeps;
    private final boolean halts;
    private final List<String> methods;
    private final List<Arg> args;
    private final Arg[] objects = new Arg[SyscallArgs.MAX];

    SyscallRow(int number, String name, String component, boolean sleeps, boolean halts, List<String> methods,
               List<Arg> args) {
        this.number = number;
        this.name = name;
        this.component = component;
        this.sleeps = sleeps;
        this.halts = halts;
        this.methods = methods;
        this.args = args;
        for (Arg a : args) {
            if (a.kind() != Kind.INT) {
                objects[a.slot()] = a;
            }
        }
    }

    /** Every row, in number order. */
    public static List<SyscallRow> all() {
        return SyscallRows.ALL;
    }

    /** The row numbered {@code number}, or null if the table has none. */
    public static SyscallRow of(int number) {
        return number > 0 && number < BY_NUMBER.length ? BY_NUMBER[number] : null;
    }

    public int number() {
        return number;
    }

    public String name() {
        return name;
    }

    public String component() {
        return component;
    }

    /** False for a call that never sleeps. */
    public boolean sleeps() {
        return sleeps;
    }

    /** Whether the kernel halts once the call returns. */
    public boolean halts() {
        return halts;
    }

    /** The {@link Syscalls} methods that enter this row; none for a row reached only by number. */
    public List<String> methods() {
        return methods;
    }

    public List<Arg> args() {
        return args;
    }

    /** The object argument in slot {@code k} ({@code o[k]}), or null if the row has none there. */
    public Arg object(int k) {
        return k >= 0 && k < objects.length ? objects[k] : null;
    }

    @Override
    public String toString() {
        return name + "(" + number + ", " + component + ")";
    }
}
