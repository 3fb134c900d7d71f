package io.jrump.kern.sysctl;

import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.hypercall.Errno;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongPredicate;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The kernel's typed sysctl tree ({@code sysctl(9)}): dotted names, nodes created by the subsystems
 * that own them, read-only nodes that nobody may write, writable ones that only root may write, and
 * a value check per node. Listing order is creation order, which keeps {@code sysctl -a} stable.
 */
public final class Sysctl {
    /** Largest element size a reader of a {@link SysctlType#STRUCT} table may ask for. */
    public static final int MAX_ELEM_SIZE = 4096;
    private final SysctlNode root = new SysctlNode("", "", SysctlType.NODE, 0, "", null, null, null);

    /** Creates (or returns) the node {@code name} and its missing parents. */
    public synchronized SysctlNode node(String name, String description) {
        return makeParents(name + ".x", description);
    }

    private SysctlNode makeParents(String leafName, String description) {
        String[] parts = split(leafName);
        SysctlNode n = root;
        StringBuilder full = new StringBuilder();
        for (int i = 0; i < parts.length - 1; i++) {
            if (full.length() > 0) {
                full.append('.');
            }
            full.append(parts[i]);
            SysctlNode c = n.children.get(parts[i]);
            if (c == null) {
                c = new SysctlNode(parts[i], full.toString(), SysctlType.NODE, 0,
                        i == parts.length - 2 ? description : "", null, null, null);
                n.children.put(parts[i], c);
            } else if (c.type() != SysctlType.NODE) {
                throw new IllegalArgumentException(c.fullName() + " is a leaf, cannot hold " + leafName);
            }
            n = c;
        }
        return n;
    }

    private static String[] split(String name) {
        if (name.isEmpty() || name.startsWith(".") || name.endsWith(".") || name.contains("..")) {
            throw new IllegalArgumentException("bad sysctl name '" + name + "'");
        }
        return name.split("\\.");
    }

    private synchronized SysctlNode create(String name, SysctlType type, int flags, String description,
                                           Supplier<Object> dynamic, LongPredicate numCheck,
                                           Predicate<String> strCheck) {
        SysctlNode parent = makeParents(name, "");
        String leaf = name.substring(name.lastIndexOf('.') + 1);
        if (parent.children.containsKey(leaf)) {
            throw new IllegalArgumentException("sysctl " + name + " already exists");
        }
        SysctlNode n = new SysctlNode(leaf, name, type, flags, description, dynamic, numCheck, strCheck);
        parent.children.put(leaf, n);
        return n;
    }

    public SysctlNode createInt(String name, String description, int value, int flags, LongPredicate check) {
        SysctlNode n = create(name, SysctlType.INT, flags, description, null, check, null);
        n.setLong(value);
        return n;
    }

    public SysctlNode createQuad(String name, String description, long value, int flags, LongPredicate check) {
        SysctlNode n = create(name, SysctlType.QUAD, flags, description, null, check, null);
        n.setLong(value);
        return n;
    }

    public SysctlNode createBool(String name, String description, boolean value, int flags) {
        SysctlNode n = create(name, SysctlType.BOOL, flags, description, null, null, null);
        n.setLong(value ? 1 : 0);
        return n;
    }

    public SysctlNode createString(String name, String description, String value, int flags,
                                   Predicate<String> check) {
        SysctlNode n = create(name, SysctlType.STRING, flags, description, null, null, check);
        n.setString(value);
        return n;
    }

    /** A read-only node whose value is computed when read, such as a counter. */
    public SysctlNode createDynamic(String name, String description, SysctlType type, Supplier<Object> value) {
        return create(name, type, 0, description, value, null, null);
    }

    /**
     * A read-only table computed when read, one entry per line ({@link SysctlNode#TABLE}): how tools
     * such as {@code netstat -r} and {@code arp -a} get a kernel's tables, as NetBSD's read struct
     * arrays through sysctl.
     */
    public SysctlNode createTable(String name, String description, Supplier<Object> lines) {
        return create(name, SysctlType.STRING, SysctlNode.TABLE, description, lines, null, null);
    }

    /**
     * A read-only array of {@code recordSize}-byte records computed when read ({@link SysctlType#STRUCT}:
     * NetBSD's {@code CTLTYPE_STRUCT} nodes such as {@code net.inet.tcp.pcblist}). A program reads it in
     * binary with {@link #get}, in one call sized by a first call without a buffer, so a table of any
     * size reads the same way; a text read prints one line per record. Left out of {@code sysctl -a}.
     */
    public SysctlNode createStruct(String name, String description, int recordSize,
                                   Consumer<SysctlRecords> records) {
        if (recordSize <= 0 || recordSize > MAX_ELEM_SIZE) {
            throw new IllegalArgumentException("record size " + recordSize + " of " + name);
        }
        synchronized (this) {
            SysctlNode parent = makeParents(name, "");
            String leaf = name.substring(name.lastIndexOf('.') + 1);
            if (parent.children.containsKey(leaf)) {
                throw new IllegalArgumentException("sysctl " + name + " already exists");
            }
            SysctlNode n = new SysctlNode(leaf, name, recordSize, description, records);
            parent.children.put(leaf, n);
            return n;
        }
    }

    /** Removes a node and everything under it (a module's nodes at {@code modunload}). */
    public synchronized void destroy(String name) {
        String[] parts = split(name);
        SysctlNode n = root;
        for (int i = 0; i < parts.length - 1; i++) {
            n = n.children == null ? null : n.children.get(parts[i]);
            if (n == null) {
                return;
            }
        }
        if (n.children != null) {
            n.children.remove(parts[parts.length - 1]);
        }
    }

    /** The node {@code name}; ENOENT if there is none, as {@code sysctl(3)} reports. */
    public synchronized SysctlNode lookup(String name) throws ErrnoException {
        SysctlNode n = root;
        for (String p : name.split("\\.", -1)) {
            if (n.children == null || (n = n.children.get(p)) == null) {
                throw new ErrnoException(Errno.ENOENT, "no sysctl " + name);
            }
        }
        return n;
    }

    /** Reads a leaf as text; reading a node is EISDIR. */
    public String read(String name) throws ErrnoException {
        SysctlNode n = lookup(name);
        if (n.type() == SysctlType.NODE) {
            throw new ErrnoException(Errno.EISDIR, name + " is a node");
        }
        return n.format();
    }

    /**
     * Records of room a size query adds to what a table holds now, so that a table that grows a little
     * between the query and the read still fits (NetBSD's {@code PCB_SLOP}, {@code KERN_FILESLOP}).
     */
    static long slack(long records) {
        return records / 8 + 8;
    }

    /**
     * {@code sysctl(3)}'s binary read. With {@code old} null it answers the bytes a read would need
     * (for a table, what it holds now plus {@link #slack}); otherwise it copies the value into
     * {@code old} from its position, advances the position and answers the bytes copied. ENOMEM if the
     * value does not fit, as {@code sysctl(3)} reports a buffer that is too small; the buffer's
     * contents are then unspecified. A {@link SysctlType#STRUCT} table comes as whole elements of
     * {@code elemSize} bytes each (0: the kernel's record size), see {@link SysctlRecords}; a value
     * comes as NetBSD lays it out, big-endian: an int in 4 bytes, a quad in 8, a bool in 1, a string
     * as UTF-8 and a NUL, and {@code elemSize} is not used.
     */
    public long get(String name, int elemSize, ByteBuffer old) throws ErrnoException {
        SysctlNode n = lookup(name);
        if (old != null && old.isReadOnly()) {
            throw new ErrnoException(Errno.EFAULT, "a read-only buffer cannot receive " + name);
        }
        switch (n.type()) {
            case NODE -> throw new ErrnoException(Errno.EISDIR, name + " is a node");
            case STRUCT -> {
                if (elemSize < 0 || elemSize > MAX_ELEM_SIZE) {
                    throw new ErrnoException(Errno.EINVAL, "element size " + elemSize + " for " + name
                            + ", not 0.." + MAX_ELEM_SIZE);
                }
                int elem = elemSize == 0 ? n.recordSize() : elemSize;
                if (old == null) {
                    SysctlRecords c = SysctlRecords.counting(elem);
                    n.produce(c);
                    return (c.count() + slack(c.count())) * elem;
                }
                int room = old.remaining();
                SysctlRecords w = SysctlRecords.into(elem, old);
                n.produce(w);
                if (w.needed() > w.written()) {
                    throw new ErrnoException(Errno.ENOMEM, name + " needs " + w.needed() + " bytes, the buffer has "
                            + room);
                }
                return w.written();
            }
            default -> {
                byte[] v = valueBytes(n);
                if (old != null) {
                    if (old.remaining() < v.length) {
                        throw new ErrnoException(Errno.ENOMEM, name + " needs " + v.length + " bytes, the buffer has "
                                + old.remaining());
                    }
                    old.put(v);
                }
                return v.length;
            }
        }
    }

    private static byte[] valueBytes(SysctlNode n) {
        return switch (n.type()) {
            case INT -> ByteBuffer.allocate(4).putInt((int) Long.parseLong(n.format())).array();
            case QUAD -> ByteBuffer.allocate(8).putLong(Long.parseLong(n.format())).array();
            case BOOL -> new byte[] {(byte) (Long.parseLong(n.format()) != 0 ? 1 : 0)};
            default -> {
                byte[] s = n.format().getBytes(StandardCharsets.UTF_8);
                byte[] z = new byte[s.length + 1];
                System.arraycopy(s, 0, z, 0, s.length);
                yield z;
            }
        };
    }

    /**
     * Writes a leaf as a user with {@code cred}: EPERM for a read-only node or a non-root writer,
     * EINVAL for a value of the wrong type or out of range. Returns the old value.
     */
    public String write(String name, String value, Cred cred) throws ErrnoException {
        SysctlNode n = lookup(name);
        if (n.type() == SysctlType.NODE) {
            throw new ErrnoException(Errno.EISDIR, name + " is a node");
        }
        if (!n.writable()) {
            throw new ErrnoException(Errno.EPERM, name + " is read-only");
        }
        if (!cred.isRoot() && !n.anyWrite()) {
            throw new ErrnoException(Errno.EPERM, "only root may set " + name);
        }
        synchronized (n) {
            String old = n.format();
            n.parseAndSet(value);
            return old;
        }
    }

    /**
     * Every leaf under {@code prefix} (all leaves for the empty prefix), in tree order. Tables are
     * left out unless {@code prefix} names one.
     */
    public synchronized List<SysctlNode> list(String prefix) throws ErrnoException {
        List<SysctlNode> out = new ArrayList<>();
        SysctlNode start = prefix.isEmpty() ? root : lookup(prefix);
        if (start.table()) {
            out.add(start);
            return out;
        }
        walk(start, out);
        return out;
    }

    private static void walk(SysctlNode n, List<SysctlNode> out) {
        if (n.type() != SysctlType.NODE) {
            if (!n.table()) {
                out.add(n);
            }
            return;
        }
        for (SysctlNode c : n.children.values()) {
            walk(c, out);
        }
    }
}
