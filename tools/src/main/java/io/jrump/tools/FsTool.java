package io.jrump.tools;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.kern.vfs.Fcntl;
import io.jrump.kern.vfs.Stat;
import io.jrump.kern.vfs.StatMode;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * What the fs-utils programs share, as NetBSD's file utilities do: flags before operands, one
 * {@code rump.NAME: operand: message} line per failed operand and exit status 1 if any failed, mode
 * strings as {@code ls -l} prints them, and names for the ids the kernel's processes use.
 */
abstract class FsTool implements Tool {
    /** The bytes one read or write moves: large enough that a remote copy is not dominated by round trips. */
    static final int CHUNK = 256 * 1024;

    /** Flags (each a letter of {@code allowed}) and operands of a command line, {@code --} ending flags. */
    record Cmd(String flags, List<String> operands) {
        boolean has(char f) {
            return flags.indexOf(f) >= 0;
        }
    }

    Cmd parse(String[] args, String allowed) throws UsageException {
        StringBuilder flags = new StringBuilder();
        int i = 0;
        for (; i < args.length && args[i].startsWith("-") && args[i].length() > 1; i++) {
            if (args[i].equals("--")) {
                i++;
                break;
            }
            for (char c : args[i].substring(1).toCharArray()) {
                if (allowed.indexOf(c) < 0) {
                    throw new UsageException("unknown option -- " + c);
                }
                flags.append(c);
            }
        }
        return new Cmd(flags.toString(), new ArrayList<>(List.of(args).subList(i, args.length)));
    }

    /** The line a failed operand gets. */
    void fail(PrintStream err, String operand, ErrnoException e) {
        err.println("rump." + name() + ": " + operand + ": " + Errno.message(e.errno()));
    }

    /** {@code -rw-r--r--}: the type letter and the nine permission letters, set-id and sticky bits included. */
    static String modeString(int mode) {
        char[] c = new char[10];
        c[0] = switch (mode & StatMode.S_IFMT) {
            case StatMode.S_IFDIR -> 'd';
            case StatMode.S_IFLNK -> 'l';
            case StatMode.S_IFCHR -> 'c';
            case StatMode.S_IFBLK -> 'b';
            case StatMode.S_IFIFO -> 'p';
            case StatMode.S_IFSOCK -> 's';
            default -> '-';
        };
        String rwx = "rwxrwxrwx";
        for (int k = 0; k < 9; k++) {
            c[k + 1] = (mode & (0400 >> k)) != 0 ? rwx.charAt(k) : '-';
        }
        if ((mode & StatMode.S_ISUID) != 0) {
            c[3] = c[3] == 'x' ? 's' : 'S';
        }
        if ((mode & StatMode.S_ISGID) != 0) {
            c[6] = c[6] == 'x' ? 's' : 'S';
        }
        if ((mode & StatMode.S_ISVTX) != 0) {
            c[9] = c[9] == 'x' ? 't' : 'T';
        }
        return new String(c);
    }

    /** The rump kernel has no password file; root and wheel are named, other ids print as numbers. */
    static String user(int uid) {
        return uid == 0 ? "root" : Integer.toString(uid);
    }

    static String group(int gid) {
        return gid == 0 ? "wheel" : Integer.toString(gid);
    }

    /** The last component of a path, as basename(3). */
    static String basename(String path) {
        String p = path;
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        int slash = p.lastIndexOf('/');
        return slash < 0 || p.length() == 1 ? p : p.substring(slash + 1);
    }

    static String join(String dir, String name) {
        return dir.endsWith("/") ? dir + name : dir + "/" + name;
    }

    /** The file's stat, or null if it does not exist (any other error is thrown). */
    static Stat statOrNull(Syscalls sys, String path) throws ErrnoException {
        try {
            return sys.stat(path);
        } catch (ErrnoException e) {
            if (e.errno() == Errno.ENOENT) {
                return null;
            }
            throw e;
        }
    }

    /** Writes all of {@code b}'s remaining bytes to {@code fd}. */
    static void writeAll(Syscalls sys, int fd, ByteBuffer b) throws ErrnoException {
        while (b.hasRemaining()) {
            int n = sys.write(fd, b.slice());
            if (n <= 0) {
                throw new ErrnoException(Errno.EIO, "short write");
            }
            b.position(b.position() + n);
        }
    }

    static int openRead(Syscalls sys, String path) throws ErrnoException {
        return sys.open(path, Fcntl.O_RDONLY, 0);
    }

    static void closeQuietly(Syscalls sys, int fd) {
        try {
            sys.close(fd);
        } catch (ErrnoException e) {
            // the operation's own outcome is what the user hears about
        }
    }
}
