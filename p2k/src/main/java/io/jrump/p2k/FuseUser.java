package io.jrump.p2k;

import com.sun.jna.LastErrorException;
import java.nio.ByteBuffer;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The host side of p2k, as {@code virtif_user.c} is the host side of a tap: Linux's {@code /dev/fuse}
 * opened and mounted with {@code mount(2)} ({@code fuse(4)}: {@code fd=N,rootmode=...,user_id=,group_id=}),
 * whole requests read from it and whole replies written to it, and {@code umount2(2)}. The only class of
 * p2k that uses JNA.
 *
 * <p>The mount is made by {@code mount(2)} directly rather than through {@code fusermount3}: the server
 * runs as root (it must, to serve {@code allow_other} mounts whose permission checks are the rump
 * kernel's for every Linux user), and {@code mount(2)} needs no helper process and no descriptor passing.
 *
 * <p>Several threads may read at once: the kernel hands each request to exactly one reader. A read
 * blocked in the host ends when the connection goes away (the mount unmounted, or aborted through
 * {@code fusectl}), with ENODEV.
 */
final class FuseUser implements FuseChannel, AutoCloseable {
    static final String DEVICE = "/dev/fuse";

    /** Linux errnos the device reports. */
    static final int L_EPERM = 1;
    static final int L_ENOENT = 2;
    static final int L_EINTR = 4;
    static final int L_EAGAIN = 11;
    static final int L_ENODEV = 19;
    static final int L_EINVAL = 22;
    static final int L_EBUSY = 16;

    private static final int O_RDWR = 2;
    private static final int O_CLOEXEC = 0x80000;
    private static final long MS_RDONLY = 1;
    private static final long MS_NOSUID = 2;
    private static final long MS_NODEV = 4;
    private static final int MNT_DETACH = 2;

    private static final class Libc {
        static {
            Native.register("c");
        }

        static native int open(String path, int flags) throws LastErrorException;

        static native int close(int fd) throws LastErrorException;

        static native int mount(String source, String target, String type, long flags, String data)
                throws LastErrorException;
    }

    /** The calls whose errno is an answer, not a failure: read from a connection that went away, umount of a busy mount. */
    private static final class LibcNoThrow {
        static {
            Native.register("c");
        }

        static native long read(int fd, Pointer buf, long count);

        static native long write(int fd, Pointer buf, long count);

        static native int umount2(String target, int flags);

        static native int geteuid();
    }

    private final int fd;
    private volatile boolean closed;

    private FuseUser(int fd) {
        this.fd = fd;
    }

    /** Opens {@code /dev/fuse}; an IOException naming the reason if it is missing or refused. */
    static FuseUser open() throws IOException {
        if (!Files.exists(Path.of(DEVICE))) {
            throw new IOException(DEVICE + " is missing (no FUSE in this kernel or container)");
        }
        try {
            return new FuseUser(Libc.open(DEVICE, O_RDWR | O_CLOEXEC));
        } catch (LastErrorException e) {
            throw new IOException("cannot open " + DEVICE + ": " + strerror(e.getErrorCode()), e);
        }
    }

    /** Whether this process may mount (effective uid 0). */
    static boolean isRoot() {
        return LibcNoThrow.geteuid() == 0;
    }

    /**
     * Mounts this connection on {@code mountpoint} as {@code fuse.SUBTYPE}, for every user
     * ({@code allow_other}) and without {@code default_permissions}: the rump kernel checks rights.
     */
    void mount(String source, String mountpoint, String subtype, boolean readOnly, int rootMode) throws IOException {
        String data = "fd=" + fd + ",rootmode=" + Integer.toOctalString(rootMode) + ",user_id=0,group_id=0,allow_other";
        long flags = MS_NOSUID | MS_NODEV | (readOnly ? MS_RDONLY : 0);
        try {
            Libc.mount(source, mountpoint, "fuse." + subtype, flags, data);
        } catch (LastErrorException e) {
            throw new IOException("mount " + mountpoint + ": " + strerror(e.getErrorCode()), e);
        }
    }

    /**
     * Reads one request into {@code buf}; returns its length, or minus the Linux errno (ENODEV once the
     * connection is gone, ENOENT or EINTR for a request withdrawn before it was read).
     */
    @Override
    public int read(ByteBuffer buf) {
        long n = LibcNoThrow.read(fd, Native.getDirectBufferPointer(buf), buf.capacity());
        return n >= 0 ? (int) n : -Native.getLastError();
    }

    /** Writes one reply; returns 0 or minus the Linux errno (ENOENT: the request was interrupted meanwhile). */
    @Override
    public int write(ByteBuffer buf, int len) {
        long n = LibcNoThrow.write(fd, Native.getDirectBufferPointer(buf), len);
        return n >= 0 ? 0 : -Native.getLastError();
    }

    /** {@code umount2}: 0 or the Linux errno; {@code lazy} detaches a busy mount. */
    static int unmount(String mountpoint, boolean lazy) {
        int r = LibcNoThrow.umount2(mountpoint, lazy ? MNT_DETACH : 0);
        return r == 0 ? 0 : Native.getLastError();
    }

    /**
     * Ends the connection of the FUSE mount whose device number is {@code dev} through {@code fusectl}
     * ({@code /sys/fs/fuse/connections/N/abort}), which wakes every reader with ENODEV even while files
     * on a lazily detached mount are still open; mounts {@code fusectl} there if it is not; false if that fails.
     */
    static boolean abort(long dev) {
        long minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
        Path dir = Path.of("/sys/fs/fuse/connections");
        Path p = dir.resolve(Long.toString(minor)).resolve("abort");
        if (!Files.exists(p) && Files.isDirectory(dir)) {
            try {
                Libc.mount("fusectl", dir.toString(), "fusectl", 0, null);
            } catch (LastErrorException e) {
                return false;
            }
        }
        try {
            Files.writeString(p, "1");
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Sets the read-ahead of the FUSE mount whose device number is {@code dev}
     * ({@code /sys/class/bdi/MAJOR:MINOR/read_ahead_kb}): Linux offers FUSE its default of 128 KiB in INIT
     * and INIT's reply may only lower it, so a larger window is set here, once the mount exists.
     */
    static boolean setReadAhead(long dev, int kib) {
        long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
        long minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
        try {
            Files.writeString(Path.of("/sys/class/bdi", major + ":" + minor, "read_ahead_kb"), Integer.toString(kib));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The supplementary groups of process {@code pid} from {@code /proc/PID/status}, if its file-system
     * uid and gid are still {@code uid} and {@code gid} (the FUSE header carries only those); null if the
     * process is gone or is no longer that caller.
     */
    static int[] callerGroups(int pid, int uid, int gid) {
        if (pid <= 0) {
            return null;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc", Integer.toString(pid), "status"));
        } catch (IOException | RuntimeException e) {
            return null;
        }
        int[] groups = null;
        boolean uidOk = false;
        boolean gidOk = false;
        for (String l : lines) {
            if (l.startsWith("Uid:")) {
                uidOk = field(l, 4) == (uid & 0xffffffffL);
            } else if (l.startsWith("Gid:")) {
                gidOk = field(l, 4) == (gid & 0xffffffffL);
            } else if (l.startsWith("Groups:")) {
                String[] f = l.substring(7).trim().split("\\s+");
                if (f.length == 1 && f[0].isEmpty()) {
                    groups = new int[0];
                } else {
                    groups = new int[f.length];
                    for (int i = 0; i < f.length; i++) {
                        groups[i] = (int) Long.parseLong(f[i]);
                    }
                }
            }
        }
        return uidOk && gidOk ? groups : null;
    }

    /** The {@code n}th whitespace-separated field of a status line (1: the first value), or -1. */
    private static long field(String line, int n) {
        String[] f = line.trim().split("\\s+");
        try {
            return n < f.length ? Long.parseLong(f[n]) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static String strerror(int errno) {
        return switch (errno) {
            case L_EPERM -> "operation not permitted (mounting needs root)";
            case L_ENOENT -> "no such file or directory";
            case L_ENODEV -> "no such device (FUSE not available)";
            case L_EINVAL -> "invalid argument";
            case L_EBUSY -> "device or resource busy";
            case 13 -> "permission denied";
            case 20 -> "not a directory";
            default -> "errno " + errno;
        };
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Libc.close(fd);
        } catch (LastErrorException e) {
            // already gone with the connection
        }
    }

    @Override
    public String toString() {
        return "fuse fd " + fd;
    }
}
