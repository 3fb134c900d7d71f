package io.jrump.vfs;

/**
 * One path component as namei hands it to {@link VnodeOps#lookup} ({@code struct componentname}): a range
 * of the path being resolved, so that a lookup needs no string of its own. A file system that keeps names
 * compares them in place ({@link #regionMatches}); one that needs a {@link String} calls {@link #name()}.
 *
 * <p>A lookup may swallow more of the path than its component by setting {@link #consume} (NetBSD's
 * {@code cn_consume}): etfs keys such as {@code /trip/to/the/moon} are matched whole at the root.
 */
public final class ComponentName {
    /** What the lookup is for ({@code cn_nameiop}). */
    public static final int LOOKUP = 0;
    public static final int CREATE = 1;
    public static final int DELETE = 2;
    public static final int RENAME = 3;

    String path;
    int start;
    int end;
    int nameiop;
    boolean last;
    /** Characters of the path after this component that the lookup also consumed. */
    public int consume;
    private String name;

    public ComponentName() {
    }

    /** A component standing alone, for calls made outside namei (and tests). */
    public static ComponentName of(String name, int nameiop) {
        ComponentName cn = new ComponentName();
        cn.set(name, 0, name.length(), nameiop, true);
        return cn;
    }

    void set(String path, int start, int end, int nameiop, boolean last) {
        this.path = path;
        this.start = start;
        this.end = end;
        this.nameiop = nameiop;
        this.last = last;
        this.consume = 0;
        this.name = null;
    }

    void clear() {
        path = null;
        name = null;
    }

    /** The component as a string (made once per component on first call). */
    public String name() {
        String n = name;
        if (n == null) {
            n = start == 0 && end == path.length() ? path : path.substring(start, end);
            name = n;
        }
        return n;
    }

    public int length() {
        return end - start;
    }

    public char charAt(int i) {
        return path.charAt(start + i);
    }

    /** Whether the component equals {@code s}. */
    public boolean regionMatches(String s) {
        return s.length() == end - start && s.regionMatches(0, path, start, end - start);
    }

    /** A hash of the component equal to {@code name().hashCode()}, computed in place. */
    public int hash() {
        int h = 0;
        for (int i = start; i < end; i++) {
            h = 31 * h + path.charAt(i);
        }
        return h;
    }

    /** The path after this component (with its leading slashes), for lookups that consume more. */
    public String rest() {
        return path.substring(end);
    }

    /** The whole path from this component on, for lookups that match keys of several components. */
    public CharSequence remaining() {
        return path.subSequence(start, path.length());
    }

    public String fullPath() {
        return path;
    }

    public int start() {
        return start;
    }

    public int nameiop() {
        return nameiop;
    }

    /** Whether this is the last component of the path ({@code ISLASTCN}). */
    public boolean isLast() {
        return last;
    }

    public boolean isDotDot() {
        return Names.isDotDot(path, start, end);
    }

    /** Whether the component is a name a directory may hold (not empty, no {@code /}, no NUL). */
    public boolean valid() {
        return Names.validComponent(path, start, end);
    }

    @Override
    public String toString() {
        return path == null ? "(none)" : name();
    }
}
