package io.jrump.vfs;

/**
 * Lengths of names as the kernel counts them: in UTF-8 bytes, since a NetBSD path is a byte string and
 * NAME_MAX and PATH_MAX are byte counts. Counted in place, without encoding, because every lookup asks.
 */
public final class Names {
    private Names() {
    }

    /** UTF-8 length of {@code s[from, to)}. */
    public static int utf8Length(CharSequence s, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    /** Whether {@code s[from, to)} is a name a directory may hold: not empty, no {@code /}, no NUL. */
    public static boolean validComponent(CharSequence s, int from, int to) {
        if (to <= from) {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == '/' || c == 0) {
                return false;
            }
        }
        return true;
    }

    public static boolean isDot(CharSequence s, int from, int to) {
        return to - from == 1 && s.charAt(from) == '.';
    }

    public static boolean isDotDot(CharSequence s, int from, int to) {
        return to - from == 2 && s.charAt(from) == '.' && s.charAt(from + 1) == '.';
    }
}
