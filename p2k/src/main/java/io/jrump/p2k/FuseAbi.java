package io.jrump.p2k;

/**
 * The FUSE kernel protocol's numbers and record sizes, as Linux's {@code include/uapi/linux/fuse.h}
 * defines them (protocol 7.31, the version p2k answers with). Every record is little-endian on the
 * machines this runs on and padded to 8 bytes.
 */
final class FuseAbi {
    private FuseAbi() {
    }

    static final int KERNEL_VERSION = 7;
    /** The minor version p2k speaks: 7.28 brought {@code max_pages}, nothing later changes a record p2k reads. */
    static final int KERNEL_MINOR_VERSION = 31;
    static final long ROOT_ID = 1;

    // opcodes (enum fuse_opcode)
    static final int LOOKUP = 1;
    static final int FORGET = 2;
    static final int GETATTR = 3;
    static final int SETATTR = 4;
    static final int READLINK = 5;
    static final int SYMLINK = 6;
    static final int MKNOD = 8;
    static final int MKDIR = 9;
    static final int UNLINK = 10;
    static final int RMDIR = 11;
    static final int RENAME = 12;
    static final int LINK = 13;
    static final int OPEN = 14;
    static final int READ = 15;
    static final int WRITE = 16;
    static final int STATFS = 17;
    static final int RELEASE = 18;
    static final int FSYNC = 20;
    static final int FLUSH = 25;
    static final int INIT = 26;
    static final int OPENDIR = 27;
    static final int READDIR = 28;
    static final int RELEASEDIR = 29;
    static final int FSYNCDIR = 30;
    static final int ACCESS = 34;
    static final int CREATE = 35;
    static final int INTERRUPT = 36;
    static final int DESTROY = 38;
    static final int BATCH_FORGET = 42;
    static final int READDIRPLUS = 44;
    static final int RENAME2 = 45;
    static final int LSEEK = 46;

    // fuse_in_header / fuse_out_header
    static final int IN_HEADER = 40;
    static final int OUT_HEADER = 16;

    // FUSE_INIT flags
    static final int ASYNC_READ = 1;
    static final int ATOMIC_O_TRUNC = 1 << 3;
    static final int BIG_WRITES = 1 << 5;
    static final int DO_READDIRPLUS = 1 << 13;
    static final int READDIRPLUS_AUTO = 1 << 14;
    static final int ASYNC_DIO = 1 << 15;
    static final int PARALLEL_DIROPS = 1 << 18;
    static final int MAX_PAGES = 1 << 22;
    static final int CACHE_SYMLINKS = 1 << 23;
    static final int INIT_OUT_SIZE = 64;

    // setattr valid bits
    static final int FATTR_MODE = 1;
    static final int FATTR_UID = 1 << 1;
    static final int FATTR_GID = 1 << 2;
    static final int FATTR_SIZE = 1 << 3;
    static final int FATTR_ATIME = 1 << 4;
    static final int FATTR_MTIME = 1 << 5;
    static final int FATTR_FH = 1 << 6;
    static final int FATTR_ATIME_NOW = 1 << 7;
    static final int FATTR_MTIME_NOW = 1 << 8;

    static final int FOPEN_KEEP_CACHE = 1 << 1;
    static final int FSYNC_FDATASYNC = 1;
    static final int RENAME_NOREPLACE = 1;
    static final int RENAME_EXCHANGE = 2;

    // record sizes
    static final int ATTR = 88;
    static final int ENTRY_OUT = 40 + ATTR;
    static final int ATTR_OUT = 16 + ATTR;
    static final int OPEN_OUT = 16;
    static final int KSTATFS = 80;
    static final int DIRENT = 24;
}
