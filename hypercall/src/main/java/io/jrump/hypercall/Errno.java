package io.jrump.hypercall;

/**
 * POSIX error numbers with NetBSD's values ({@code sys/sys/errno.h}), since jrump is a NetBSD rump
 * kernel and its remote clients see these numbers on the wire. Both the hypercall layer and the
 * kernel report errors with them.
 */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int ENXIO = 6;
    public static final int E2BIG = 7;
    public static final int ENOEXEC = 8;
    public static final int EBADF = 9;
    public static final int ECHILD = 10;
    public static final int EDEADLK = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int EXDEV = 18;
    public static final int ENODEV = 19;
    public static final int ENOTDIR = 20;
    public static final int EISDIR = 21;
    public static final int EINVAL = 22;
    public static final int ENFILE = 23;
    public static final int EMFILE = 24;
    public static final int ENOTTY = 25;
    public static final int EFBIG = 27;
    public static final int ENOSPC = 28;
    public static final int ESPIPE = 29;
    public static final int EROFS = 30;
    public static final int EMLINK = 31;
    public static final int EPIPE = 32;
    public static final int EDOM = 33;
    public static final int ERANGE = 34;
    public static final int EAGAIN = 35;
    public static final int EWOULDBLOCK = EAGAIN;
    public static final int EINPROGRESS = 36;
    public static final int EALREADY = 37;
    public static final int ENOTSOCK = 38;
    public static final int EDESTADDRREQ = 39;
    public static final int EMSGSIZE = 40;
    public static final int EPROTOTYPE = 41;
    public static final int ENOPROTOOPT = 42;
    public static final int EPROTONOSUPPORT = 43;
    public static final int ESOCKTNOSUPPORT = 44;
    public static final int EOPNOTSUPP = 45;
    public static final int EPFNOSUPPORT = 46;
    public static final int EAFNOSUPPORT = 47;
    public static final int EADDRINUSE = 48;
    public static final int EADDRNOTAVAIL = 49;
    public static final int ENETDOWN = 50;
    public static final int ENETUNREACH = 51;
    public static final int ENETRESET = 52;
    public static final int ECONNABORTED = 53;
    public static final int ECONNRESET = 54;
    public static final int ENOBUFS = 55;
    public static final int EISCONN = 56;
    public static final int ENOTCONN = 57;
    public static final int ESHUTDOWN = 58;
    public static final int ETIMEDOUT = 60;
    public static final int ECONNREFUSED = 61;
    public static final int ELOOP = 62;
    public static final int ENAMETOOLONG = 63;
    public static final int EHOSTDOWN = 64;
    public static final int EHOSTUNREACH = 65;
    public static final int ENOTEMPTY = 66;
    public static final int ENOSYS = 78;
    public static final int EFTYPE = 79;
    public static final int EOVERFLOW = 84;
    public static final int ECANCELED = 87;
    public static final int ENOTSUP = 86;

    private static final String[] NAMES = new String[100];
    private static final String[] MESSAGES = new String[100];

    static {
        def(EPERM, "EPERM", "Operation not permitted");
        def(ENOENT, "ENOENT", "No such file or directory");
        def(ESRCH, "ESRCH", "No such process");
        def(EINTR, "EINTR", "Interrupted system call");
        def(EIO, "EIO", "Input/output error");
        def(ENXIO, "ENXIO", "Device not configured");
        def(E2BIG, "E2BIG", "Argument list too long");
        def(ENOEXEC, "ENOEXEC", "Exec format error");
        def(EBADF, "EBADF", "Bad file descriptor");
        def(ECHILD, "ECHILD", "No child processes");
        def(EDEADLK, "EDEADLK", "Resource deadlock avoided");
        def(ENOMEM, "ENOMEM", "Cannot allocate memory");
        def(EACCES, "EACCES", "Permission denied");
        def(EFAULT, "EFAULT", "Bad address");
        def(EBUSY, "EBUSY", "Device busy");
        def(EEXIST, "EEXIST", "File exists");
        def(EXDEV, "EXDEV", "Cross-device link");
        def(ENODEV, "ENODEV", "Operation not supported by device");
        def(ENOTDIR, "ENOTDIR", "Not a directory");
        def(EISDIR, "EISDIR", "Is a directory");
        def(EINVAL, "EINVAL", "Invalid argument");
        def(ENFILE, "ENFILE", "Too many open files in system");
        def(EMFILE, "EMFILE", "Too many open files");
        def(ENOTTY, "ENOTTY", "Inappropriate ioctl for device");
        def(EFBIG, "EFBIG", "File too large");
        def(ENOSPC, "ENOSPC", "No space left on device");
        def(ESPIPE, "ESPIPE", "Illegal seek");
        def(EROFS, "EROFS", "Read-only file system");
        def(EMLINK, "EMLINK", "Too many links");
        def(EPIPE, "EPIPE", "Broken pipe");
        def(EDOM, "EDOM", "Numerical argument out of domain");
        def(ERANGE, "ERANGE", "Result too large or too small");
        def(EAGAIN, "EAGAIN", "Resource temporarily unavailable");
        def(EINPROGRESS, "EINPROGRESS", "Operation now in progress");
        def(EALREADY, "EALREADY", "Operation already in progress");
        def(ENOTSOCK, "ENOTSOCK", "Socket operation on non-socket");
        def(EDESTADDRREQ, "EDESTADDRREQ", "Destination address required");
        def(EMSGSIZE, "EMSGSIZE", "Message too long");
        def(EPROTOTYPE, "EPROTOTYPE", "Protocol wrong type for socket");
        def(ENOPROTOOPT, "ENOPROTOOPT", "Protocol option not available");
        def(EPROTONOSUPPORT, "EPROTONOSUPPORT", "Protocol not supported");
        def(ESOCKTNOSUPPORT, "ESOCKTNOSUPPORT", "Socket type not supported");
        def(EOPNOTSUPP, "EOPNOTSUPP", "Operation not supported");
        def(EPFNOSUPPORT, "EPFNOSUPPORT", "Protocol family not supported");
        def(EAFNOSUPPORT, "EAFNOSUPPORT", "Address family not supported by protocol family");
        def(EADDRINUSE, "EADDRINUSE", "Address already in use");
        def(EADDRNOTAVAIL, "EADDRNOTAVAIL", "Can't assign requested address");
        def(ENETDOWN, "ENETDOWN", "Network is down");
        def(ENETUNREACH, "ENETUNREACH", "Network is unreachable");
        def(ENETRESET, "ENETRESET", "Network dropped connection on reset");
        def(ECONNABORTED, "ECONNABORTED", "Software caused connection abort");
        def(ECONNRESET, "ECONNRESET", "Connection reset by peer");
        def(ENOBUFS, "ENOBUFS", "No buffer space available");
        def(EISCONN, "EISCONN", "Socket is already connected");
        def(ENOTCONN, "ENOTCONN", "Socket is not connected");
        def(ESHUTDOWN, "ESHUTDOWN", "Can't send after socket shutdown");
        def(ETIMEDOUT, "ETIMEDOUT", "Connection timed out");
        def(ECONNREFUSED, "ECONNREFUSED", "Connection refused");
        def(ELOOP, "ELOOP", "Too many levels of symbolic links");
        def(ENAMETOOLONG, "ENAMETOOLONG", "File name too long");
        def(EHOSTDOWN, "EHOSTDOWN", "Host is down");
        def(EHOSTUNREACH, "EHOSTUNREACH", "No route to host");
        def(ENOTEMPTY, "ENOTEMPTY", "Directory not empty");
        def(ENOSYS, "ENOSYS", "Function not implemented");
        def(EFTYPE, "EFTYPE", "Inappropriate file type or format");
        def(EOVERFLOW, "EOVERFLOW", "Value too large to be stored in data type");
        def(ENOTSUP, "ENOTSUP", "Not supported");
        def(ECANCELED, "ECANCELED", "Operation canceled");
    }

    private Errno() {
    }

    private static void def(int errno, String name, String message) {
        NAMES[errno] = name;
        MESSAGES[errno] = message;
    }

    /** The symbolic name, such as {@code "ECONNREFUSED"}, or {@code "E<n>"} for an unknown number. */
    public static String name(int errno) {
        return errno > 0 && errno < NAMES.length && NAMES[errno] != null ? NAMES[errno] : "E" + errno;
    }

    /** The message {@code strerror(3)} prints for it on NetBSD. */
    public static String message(int errno) {
        return errno > 0 && errno < MESSAGES.length && MESSAGES[errno] != null
                ? MESSAGES[errno] : "Unknown error: " + errno;
    }
}
