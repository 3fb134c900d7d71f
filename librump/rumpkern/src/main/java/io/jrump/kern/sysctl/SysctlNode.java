package io.jrump.kern.sysctl;

import io.jrump.kern.ErrnoException;
import io.jrump.hypercall.Errno;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongPredicate;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * One node of the sysctl tree. Leaves hold a typed value that kernel code reads on its hot paths
 * without a lookup (a protocol keeps the node and calls {@link #intValue()}); writes from userspace go
 * through {@link Sysctl#write} and are checked for type, range and permission there.
 */
public final class SysctlNode {
    /** Writable by its owner (root); without it the node is read-only ({@code CTLFLAG_READONLY}). */
    public static final int READWRITE = 1;
    /** Writable by anyone ({@code CTLFLAG_ANYWRITE}). */
    public static final int ANYWRITE = 2;
    /** May only be set before first use, such as a table size ({@code net.inet.tcp.vtw.entries}). */
    public static final int IMMUTABLE_AFTER_USE = 4;
    /**
     * A table rather than a value (NetBSD's {@code CTLTYPE_STRUCT}: a pcb list, the routing table):
     * read by name, one entry per line, and left out of {@code sysctl -a}.
     */
    public static final int TABLE = 8;

    private final String name;
    private final String fullName;
    private final SysctlType type;
    private final int flags;
    private final String description;
    final Map<String, SysctlNode> children;
    private volatile long num;
    private volatile String str;
    private final Supplier<Object> dynamic;
    private final LongPredicate numCheck;
    private final Predicate<String> strCheck;
    private final int recordSize;
    private final Consumer<SysctlRecords> records;
    private volatile boolean used;

    SysctlNode(String name, String fullName, SysctlType type, int flags, String description,
               Supplier<Object> dynamic, LongPredicate numCheck, Predicate<String> strCheck) {
        this(name, fullName, type, flags, description, dynamic, numCheck, strCheck, 0, null);
    }

    /** A {@link SysctlType#STRUCT} table of {@code recordSize}-byte records that {@code records} produces. */
    SysctlNode(String name, String fullName, int recordSize, String description, Consumer<SysctlRecords> records) {
        this(name, fullName, SysctlType.STRUCT, TABLE, description, null, null, null, recordSize, records);
    }

    private SysctlNode(String name, String fullName, SysctlType type, int flags, String description,
                       Supplier<Object> dynamic, LongPredicate numCheck, Predicate<String> strCheck, int recordSize,
                       Consumer<SysctlRecords> records) {
        this.recordSize = recordSize;
        this.records = records;
        this.name = name;
        this.fullName = fullName;
        this.type = type;
        this.flags = flags;
        this.description = description;
        this.children = type == SysctlType.NODE ? new LinkedHashMap<>() : null;
        this.dynamic = dynamic;
        this.numCheck = numCheck;
        this.strCheck = strCheck;
    }

    public String name() {
        return name;
    }

    public String fullName() {
        return fullName;
    }

    public SysctlType type() {
        return type;
    }

    public String description() {
        return description;
    }

    public boolean writable() {
        return (flags & (READWRITE | ANYWRITE)) != 0 && dynamic == null && records == null;
    }

    /** Bytes of one record of a {@link SysctlType#STRUCT} table; 0 for any other node. */
    public int recordSize() {
        return recordSize;
    }

    /** Runs the table's producer into {@code out}. */
    void produce(SysctlRecords out) {
        records.accept(out);
    }

    public boolean table() {
        return (flags & TABLE) != 0;
    }

    public boolean anyWrite() {
        return (flags & ANYWRITE) != 0;
    }

    /** The value for kernel code; marks a use-once node as used. */
    public int intValue() {
        used = true;
        return dynamic != null ? ((Number) dynamic.get()).intValue() : (int) num;
    }

    public long longValue() {
        used = true;
        return dynamic != null ? ((Number) dynamic.get()).longValue() : num;
    }

    public boolean boolValue() {
        used = true;
        if (dynamic != null) {
            Object o = dynamic.get();
            return o instanceof Boolean b ? b : ((Number) o).longValue() != 0;
        }
        return num != 0;
    }

    public String stringValue() {
        return dynamic != null ? String.valueOf(dynamic.get()) : str;
    }

    /** The value as {@code sysctl(8)} prints it; reading it this way does not count as a use. */
    public String format() {
        if (type == SysctlType.NODE) {
            return "";
        }
        if (type == SysctlType.STRING) {
            return stringValue();
        }
        if (type == SysctlType.STRUCT) {
            StringBuilder sb = new StringBuilder();
            produce(SysctlRecords.text(sb));
            return sb.toString();
        }
        long v;
        if (dynamic != null) {
            Object o = dynamic.get();
            v = o instanceof Boolean b ? (b ? 1 : 0) : ((Number) o).longValue();
        } else {
            v = num;
        }
        return Long.toString(type == SysctlType.INT ? (int) v : v);
    }

    /** Sets the value from kernel code, bypassing permissions (not the type's range check). */
    public void setLong(long v) {
        this.num = v;
    }

    public void setString(String v) {
        this.str = v;
    }

    /** Parses and stores a value written by a user; permissions are checked by the caller. */
    void parseAndSet(String value) throws ErrnoException {
        if ((flags & IMMUTABLE_AFTER_USE) != 0 && used) {
            throw new ErrnoException(Errno.EBUSY, fullName + " can only be set before it is first used");
        }
        switch (type) {
            case NODE -> throw new ErrnoException(Errno.EISDIR, fullName + " is a node");
            case STRUCT -> throw new ErrnoException(Errno.EPERM, fullName + " is read-only");
            case STRING -> {
                if (strCheck != null && !strCheck.test(value)) {
                    throw new ErrnoException(Errno.EINVAL, "bad value for " + fullName + ": " + value);
                }
                str = value;
            }
            default -> {
                long v;
                try {
                    v = Long.parseLong(value.trim());
                } catch (NumberFormatException e) {
                    throw new ErrnoException(Errno.EINVAL, fullName + " takes a number, not '" + value + "'");
                }
                if (type == SysctlType.INT && (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE)) {
                    throw new ErrnoException(Errno.EINVAL, value + " does not fit " + fullName);
                }
                if (type == SysctlType.BOOL && v != 0 && v != 1) {
                    throw new ErrnoException(Errno.EINVAL, fullName + " takes 0 or 1");
                }
                if (numCheck != null && !numCheck.test(v)) {
                    // the description says what is allowed ("a power of two from 16 to 1048576")
                    throw new ErrnoException(Errno.EINVAL, "bad value for " + fullName + ": " + value + " ("
                            + description + ")");
                }
                num = v;
            }
        }
    }
}
