package io.jrump.kern.vfs;

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
        int n = utf8Length(name);
        return new Dirent(fileno, reclen(n), n, type, name);
    }

    private static int utf8Length(String s) {
        int n = 0;
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && k + 1 < s.length() && Character.isLowSurrogate(s.charAt(k + 1))) {
                n += 4;
                k++;
            } else {
                n += 3;
            }
        }
        return n;
    }
}
