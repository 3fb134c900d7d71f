package io.jrump.vfs;

import io.jrump.kern.vfs.StatMode;


/** The type of a vnode ({@code enum vtype}), with its {@code st_mode} format bits and {@code d_type}. */
public enum VType {
    VNON(0, StatMode.DT_UNKNOWN),
    VREG(StatMode.S_IFREG, StatMode.DT_REG),
    VDIR(StatMode.S_IFDIR, StatMode.DT_DIR),
    VBLK(StatMode.S_IFBLK, StatMode.DT_BLK),
    VCHR(StatMode.S_IFCHR, StatMode.DT_CHR),
    VLNK(StatMode.S_IFLNK, StatMode.DT_LNK),
    VSOCK(StatMode.S_IFSOCK, StatMode.DT_SOCK),
    VFIFO(StatMode.S_IFIFO, StatMode.DT_FIFO);

    private final int ifmt;
    private final int dtype;

    VType(int ifmt, int dtype) {
        this.ifmt = ifmt;
        this.dtype = dtype;
    }

    /** The {@code S_IF*} bits. */
    public int ifmt() {
        return ifmt;
    }

    /** The {@code DT_*} value. */
    public int dtype() {
        return dtype;
    }

    /** The type a {@code mknod} mode names; VNON for none or an unknown one. */
    public static VType fromMode(int mode) {
        return switch (mode & StatMode.S_IFMT) {
            case StatMode.S_IFREG -> VREG;
            case StatMode.S_IFDIR -> VDIR;
            case StatMode.S_IFBLK -> VBLK;
            case StatMode.S_IFCHR -> VCHR;
            case StatMode.S_IFLNK -> VLNK;
            case StatMode.S_IFSOCK -> VSOCK;
            case StatMode.S_IFIFO -> VFIFO;
            default -> VNON;
        };
    }
}
