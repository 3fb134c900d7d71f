package io.jrump.kern.sysctl;

import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.hypercall.Errno;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongPredicate;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The kernel's typed sysctl tree ({@code sysctl(9)}): dotted names, nodes created by the subsystems
 * that own them, read-only nodes that nobody may write, writable ones that only root may write, and
 * a value check per node. Listing order is creation order, which keeps {@code sysctl -a} stable.
 */
public final class Sysctl {
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
