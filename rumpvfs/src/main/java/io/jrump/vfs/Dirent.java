package io.jrump.vfs;

/**
 * One directory entry as {@code getdents(2)} returns it (NetBSD's {@code struct dirent}); {@code reclen}
 * is the record's size in NetBSD's layout, which is what a caller's byte count is measured against.
 */
public record Dirent(long fileno, int reclen, int namlen, int type, String name) {
    /** Offset of {@code d_name} in NetBSD's {@code struct dirent}: fileno (8), reclen (2), namlen (2), type (1). */
    public static final int NAME_OFFSET = 13;

    /** {@code _DIRENT_RECLEN}: the header, the name in bytes and its NUL, rounded up to 8. */
    public static int reclen(int namlenBytes) {
        return (NAME_OFFSET + namlenBytes + 1 + 7) & ~7;
    }

    public static Dirent of(long fileno, int type, String name) {
        int n = Names.utf8Length(name, 0, name.length());
        return new Dirent(fileno, reclen(n), n, type, name);
    }
}
