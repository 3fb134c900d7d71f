package io.jrump.p2k;

import io.jrump.hypercall.Errno;

/**
 * The kernel's errnos (NetBSD's numbering, {@link Errno}) as Linux numbers them, for the error field of
 * a FUSE reply: a program on the mount sees the errno the rump kernel meant. The first 34 agree; the
 * rest are renumbered by name ({@code errno(3)} of both systems). An errno Linux has no name for
 * (NetBSD's {@code EFTYPE}, {@code EPROCLIM}, RPC errors) becomes the nearest Linux meaning, and anything
 * unknown EIO.
 */
final class LinuxErrno {
    private LinuxErrno() {
    }

    static final int EIO = 5;
    static final int EINVAL = 22;
    static final int ENOSYS = 38;
    static final int EISDIR = 21;

    private static final int[] MAP = new int[100];

    static {
        for (int i = 1; i <= 34; i++) {
            MAP[i] = i;
        }
        map(Errno.EAGAIN, 11);
        map(Errno.EINPROGRESS, 115);
        map(Errno.EALREADY, 114);
        map(Errno.ENOTSOCK, 88);
        map(Errno.EDESTADDRREQ, 89);
        map(Errno.EMSGSIZE, 90);
        map(Errno.EPROTOTYPE, 91);
        map(Errno.ENOPROTOOPT, 92);
        map(Errno.EPROTONOSUPPORT, 93);
        map(Errno.ESOCKTNOSUPPORT, 94);
        map(Errno.EOPNOTSUPP, 95);
        map(Errno.EPFNOSUPPORT, 96);
        map(Errno.EAFNOSUPPORT, 97);
        map(Errno.EADDRINUSE, 98);
        map(Errno.EADDRNOTAVAIL, 99);
        map(Errno.ENETDOWN, 100);
        map(Errno.ENETUNREACH, 101);
        map(Errno.ENETRESET, 102);
        map(Errno.ECONNABORTED, 103);
        map(Errno.ECONNRESET, 104);
        map(Errno.ENOBUFS, 105);
        map(Errno.EISCONN, 106);
        map(Errno.ENOTCONN, 107);
        map(Errno.ESHUTDOWN, 108);
        MAP[59] = 109; // ETOOMANYREFS
        map(Errno.ETIMEDOUT, 110);
        map(Errno.ECONNREFUSED, 111);
        map(Errno.ELOOP, 40);
        map(Errno.ENAMETOOLONG, 36);
        map(Errno.EHOSTDOWN, 112);
        map(Errno.EHOSTUNREACH, 113);
        map(Errno.ENOTEMPTY, 39);
        MAP[67] = 11; // EPROCLIM: too many processes, EAGAIN as fork answers on Linux
        MAP[68] = 87; // EUSERS
        MAP[69] = 122; // EDQUOT
        MAP[70] = 116; // ESTALE
        MAP[71] = 66; // EREMOTE
        MAP[77] = 37; // ENOLCK
        map(Errno.ENOSYS, 38);
        map(Errno.EFTYPE, 22); // inappropriate file type: EINVAL
        MAP[82] = 43; // EIDRM
        MAP[83] = 42; // ENOMSG
        map(Errno.EOVERFLOW, 75);
        MAP[85] = 84; // EILSEQ
        map(Errno.ENOTSUP, 95);
        map(Errno.ECANCELED, 125);
        MAP[88] = 74; // EBADMSG
        MAP[89] = 61; // ENODATA
        MAP[93] = 61; // ENOATTR
        MAP[96] = 71; // EPROTO
    }

    private static void map(int netbsd, int linux) {
        MAP[netbsd] = linux;
    }

    /** Linux's number for the kernel's {@code errno}; EIO for one it does not know. */
    static int of(int errno) {
        if (errno > 0 && errno < MAP.length && MAP[errno] != 0) {
            return MAP[errno];
        }
        return EIO;
    }
}
