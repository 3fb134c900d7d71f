package io.jrump.vfs.rumpfs;

import io.jrump.vfs.VType;

/**
 * An in-memory file ({@code struct rumpfs_node}, a tmpfs inode): attributes, and by type the data
 * pages of a regular file, the entries of a directory or the target of a symbolic link. The node lives
 * as long as a name or a vnode refers to it; the vnode (one at a time, from the cache) is only a handle.
 *
 * <p>Fields are guarded by the vnode lock (shared to read, exclusive to change), except {@link #atime},
 * which reads update under the shared lock: a racy store of one long whose last writer wins is all the
 * access time promises.
 */
final class RumpfsNode {
    final long fileid;
    final VType type;
    int mode;
    int uid;
    int gid;
    int nlink;
    int flags;
    long rdev;
    final long gen;
    volatile long atime;
    long mtime;
    long ctime;
    long birthtime;
    /** Regular files: the size and the pages. */
    long size;
    final PageStore pages;
    /** Directories: the entries; {@code removed} once rmdir took it out of its parent. */
    final RumpfsDir dir;
    boolean removed;
    /** Symbolic links: the target, and its length in bytes ({@code st_size}). */
    final String target;
    final int targetBytes;
    /** Set once the node's memory went back to the mount. */
    boolean freed;

    RumpfsNode(long fileid, VType type, int mode, int uid, int gid, long now, RumpfsNode parent, String target,
               int targetBytes) {
        this.fileid = fileid;
        this.type = type;
        this.mode = mode;
        this.uid = uid;
        this.gid = gid;
        this.gen = fileid * 0x9E3779B97F4A7C15L >>> 40;
        this.atime = now;
        this.mtime = now;
        this.ctime = now;
        this.birthtime = now;
        this.pages = type == VType.VREG ? new PageStore() : null;
        this.dir = type == VType.VDIR ? new RumpfsDir(parent) : null;
        this.nlink = type == VType.VDIR ? 2 : 1;
        this.target = target;
        this.targetBytes = targetBytes;
    }

    @Override
    public String toString() {
        return "rumpfs#" + fileid;
    }
}
