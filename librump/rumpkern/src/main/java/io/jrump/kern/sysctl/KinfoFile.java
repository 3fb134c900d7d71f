package io.jrump.kern.sysctl;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One open descriptor as {@code kern.files} lists it, for {@code fstat}: NetBSD's {@code struct
 * kinfo_file} ({@code kern.file2}) cut to what {@code fstat(1)} prints, with the owner's command name
 * and the mount point carried along (NetBSD's fstat joins {@code kern.proc2} and the mount list for
 * them). Laid out big-endian at fixed offsets (see {@link SysctlRecord}); new fields go at the end.
 * What the file is ({@link #kind}, and for a vnode its attributes) the file's own operations fill in.
 */
public final class KinfoFile implements SysctlRecord {
    /** Bytes of a record. */
    public static final int SIZE = 144;
    /** Bytes of the command name and of the mount point (UTF-8, NUL-padded, cut at a character boundary). */
    public static final int NAME_LEN = 32;
    /** {@link #rw}: open for reading, for writing ({@code FREAD}, {@code FWRITE}). */
    public static final int R = 1;
    public static final int W = 2;
    /** A number field the file has no value for. */
    public static final long NONE = -1;
    /** {@link #fd} of a process's current directory and of its changed root (fstat's {@code wd}, {@code root}). */
    public static final int FD_CWD = -1;
    public static final int FD_ROOT = -2;

    private static final int O_UID = 0;
    private static final int O_PID = 4;
    private static final int O_FD = 8;
    private static final int O_KIND = 12;
    private static final int O_RW = 16;
    private static final int O_FDFLAGS = 20;
    private static final int O_FILEID = 24;
    private static final int O_SIZE = 32;
    private static final int O_RDEV = 40;
    private static final int O_MODE = 48;
    private static final int O_OFFSET = 56;
    private static final int O_COMM = 64;
    private static final int O_MOUNT = 96;
    private static final int O_FLAGS = 128;
    private static final int O_REFS = 132;

    public int uid;
    public int pid;
    public int fd;
    /** {@code fstat}'s file type letter from {@code FileOps.kind}: {@code '-'} a vnode, {@code 's'} a socket. */
    public int kind;
    /** {@link #R} and {@link #W}. */
    public int rw;
    /** The descriptor's flags ({@code FD_CLOEXEC}). */
    public int fdflags;
    /** A vnode's file number, else {@link #NONE}. */
    public long fileid;
    /** A vnode's size, else {@link #NONE}. */
    public long size;
    /** A device's number, else {@link #NONE}. */
    public long rdev;
    /** A vnode's {@code st_mode} (type and permissions), else 0. */
    public int mode;
    /** The file offset, else {@link #NONE}. */
    public long offset;
    /** The file's status flags ({@code O_APPEND}, {@code O_NONBLOCK}, ...). */
    public int flags;
    /** Descriptors (in any process) that share the open file. */
    public int refs;
    /** The owner's command name. */
    public String comm = "";
    /** A vnode's mount point, else empty. */
    public String mount = "";

    /** Clears what a file's operations fill in, before the next record. */
    public KinfoFile reset() {
        kind = '?';
        rw = 0;
        fileid = NONE;
        size = NONE;
        rdev = NONE;
        mode = 0;
        offset = NONE;
        mount = "";
        return this;
    }

    @Override
    public int size() {
        return SIZE;
    }

    @Override
    public void write(ByteBuffer b, int at) {
        b.putInt(at + O_UID, uid);
        b.putInt(at + O_PID, pid);
        b.putInt(at + O_FD, fd);
        b.putInt(at + O_KIND, kind);
        b.putInt(at + O_RW, rw);
        b.putInt(at + O_FDFLAGS, fdflags);
        b.putLong(at + O_FILEID, fileid);
        b.putLong(at + O_SIZE, size);
        b.putLong(at + O_RDEV, rdev);
        b.putInt(at + O_MODE, mode);
        b.putInt(at + O_MODE + 4, 0);
        b.putLong(at + O_OFFSET, offset);
        putName(b, at + O_COMM, comm);
        putName(b, at + O_MOUNT, mount);
        b.putInt(at + O_FLAGS, flags);
        b.putInt(at + O_REFS, refs);
        for (int k = O_REFS + 4; k < SIZE; k++) {
            b.put(at + k, (byte) 0);
        }
    }

    private static void putName(ByteBuffer b, int at, String s) {
        byte[] u = s.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(u.length, NAME_LEN);
        while (n < u.length && n > 0 && (u[n] & 0xc0) == 0x80) {
            n--;
        }
        b.put(at, u, 0, n);
        for (int k = n; k < NAME_LEN; k++) {
            b.put(at + k, (byte) 0);
        }
    }

    private static String getName(ByteBuffer b, int at) {
        int n = 0;
        while (n < NAME_LEN && b.get(at + n) != 0) {
            n++;
        }
        byte[] u = new byte[n];
        b.get(at, u, 0, n);
        return new String(u, StandardCharsets.UTF_8);
    }

    /** Decodes the record at absolute offset {@code at} of {@code b} into this one. */
    public KinfoFile read(ByteBuffer b, int at) {
        uid = b.getInt(at + O_UID);
        pid = b.getInt(at + O_PID);
        fd = b.getInt(at + O_FD);
        kind = b.getInt(at + O_KIND);
        rw = b.getInt(at + O_RW);
        fdflags = b.getInt(at + O_FDFLAGS);
        fileid = b.getLong(at + O_FILEID);
        size = b.getLong(at + O_SIZE);
        rdev = b.getLong(at + O_RDEV);
        mode = b.getInt(at + O_MODE);
        offset = b.getLong(at + O_OFFSET);
        comm = getName(b, at + O_COMM);
        mount = getName(b, at + O_MOUNT);
        flags = b.getInt(at + O_FLAGS);
        refs = b.getInt(at + O_REFS);
        return this;
    }

    /**
     * {@code uid pid command fd kind rw fdflags fileid size rdev mode(octal) offset mount}, the command's
     * blanks as underscores, a missing command or mount as {@code -}.
     */
    @Override
    public void text(StringBuilder sb) {
        sb.append(uid).append(' ').append(pid).append(' ')
                .append(comm.isEmpty() ? "-" : comm.replaceAll("\\s", "_")).append(' ').append(fd).append(' ')
                .append((char) kind).append(' ').append((rw & R) != 0 ? "r" : "").append((rw & W) != 0 ? "w" : "")
                .append(rw == 0 ? "-" : "").append(' ').append(fdflags).append(' ').append(fileid).append(' ')
                .append(size).append(' ').append(rdev).append(' ').append(Integer.toOctalString(mode)).append(' ')
                .append(offset).append(' ').append(mount.isEmpty() ? "-" : mount.replaceAll("\\s", "_"));
    }
}
