package io.jrump.fs.ext2fs;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.vfs.StatMode;
import io.jrump.vfs.ComponentName;
import io.jrump.vfs.VnodeOps.DirentSink;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Directory contents ({@code ext2fs_lookup.c}; ext2 documentation, "Directories"): blocks of
 * variable-length entries {@code inode, rec_len, name_len, file_type, name}, each block covered
 * exactly by its entries, a removed entry folded into the one before it or, first in its block, left
 * with inode 0. A directory has no holes, and grows a block at a time.
 *
 * <p>Every entry is checked before it is used (record length a multiple of four, at least the header
 * and the name, inside its block; inode number in range), so a corrupt directory is EIO, never an
 * exception or a read past the block. A lookup compares names in place, allocating nothing for ASCII
 * names. Cookies of {@code readdir} are byte offsets in the directory, and entries never move, so a
 * cookie stays good while entries come and go.
 *
 * <p>A directory with a hash tree ({@code dir_index}) is read linearly (the tree's nodes look like
 * empty entries, by design) and loses its tree flag when changed, as Linux's ext2 does.
 */
final class Directory {
    static final int FT_UNKNOWN = 0;
    static final int FT_REG = 1;
    static final int FT_DIR = 2;
    static final int FT_CHR = 3;
    static final int FT_BLK = 4;
    static final int FT_FIFO = 5;
    static final int FT_SOCK = 6;
    static final int FT_LNK = 7;
    private static final int HEADER = 8;

    private final Ext2Mount m;
    private final BlockCache cache;
    private final int bs;
    private final boolean filetype;

    /** Where an entry is: logical block, offset in it, offset of the entry before it (-1 if first). */
    static final class Slot {
        long lb;
        int off;
        int prev;
        long ino;
    }

    Directory(Ext2Mount m) {
        this.m = m;
        this.cache = m.cache;
        this.bs = m.bs;
        this.filetype = m.sb.has(Features.INCOMPAT_FILETYPE);
    }

    /** The {@code file_type} byte for a mode. */
    static int ftype(int mode) {
        return switch (mode & StatMode.S_IFMT) {
            case StatMode.S_IFREG -> FT_REG;
            case StatMode.S_IFDIR -> FT_DIR;
            case StatMode.S_IFCHR -> FT_CHR;
            case StatMode.S_IFBLK -> FT_BLK;
            case StatMode.S_IFIFO -> FT_FIFO;
            case StatMode.S_IFSOCK -> FT_SOCK;
            case StatMode.S_IFLNK -> FT_LNK;
            default -> FT_UNKNOWN;
        };
    }

    private static int dtype(int ft) {
        return switch (ft) {
            case FT_REG -> StatMode.DT_REG;
            case FT_DIR -> StatMode.DT_DIR;
            case FT_CHR -> StatMode.DT_CHR;
            case FT_BLK -> StatMode.DT_BLK;
            case FT_FIFO -> StatMode.DT_FIFO;
            case FT_SOCK -> StatMode.DT_SOCK;
            case FT_LNK -> StatMode.DT_LNK;
            default -> StatMode.DT_UNKNOWN;
        };
    }

    private static int align(int n) {
        return (n + 3) & ~3;
    }

    private long blocks(Inode dir) throws ErrnoException {
        if (dir.size % bs != 0) {
            throw m.corrupt("directory " + dir.ino + " has size " + dir.size + ", not whole blocks");
        }
        return dir.size / bs;
    }

    /** The cached block of logical directory block {@code lb}. */
    private byte[] block(Inode dir, long lb) throws ErrnoException {
        long phys = m.bmap.get(dir, lb);
        if (phys == 0) {
            throw m.corrupt("directory " + dir.ino + " has a hole at block " + lb);
        }
        return cache.get(phys).data;
    }

    /** Checks the entry at {@code off} and returns its record length. */
    private int recLen(Inode dir, byte[] d, int off) throws ErrnoException {
        if (off + HEADER > bs) {
            throw m.corrupt("directory " + dir.ino + ": entry header at offset " + off + " crosses the block's end");
        }
        int rec = Le.u16(d, off + 4);
        int nlen = nameLen(d, off);
        long ino = Le.u32(d, off);
        if (rec < HEADER || (rec & 3) != 0 || off + rec > bs || HEADER + nlen > rec || ino > m.sb.inodesCount) {
            throw m.corrupt("directory " + dir.ino + ": bad entry at offset " + off + " (rec_len " + rec
                    + ", name_len " + nlen + ", inode " + ino + ")");
        }
        return rec;
    }

    private int nameLen(byte[] d, int off) {
        return filetype ? Le.u8(d, off + 6) : Le.u16(d, off + 6);
    }

    /** The inode {@code cn} names in {@code dir}, 0 if none. */
    long lookup(Inode dir, ComponentName cn) throws ErrnoException {
        byte[] name = null;
        int n = cn.length();
        for (int i = 0; i < n; i++) {
            if (cn.charAt(i) >= 0x80) {
                name = cn.name().getBytes(StandardCharsets.UTF_8);
                break;
            }
        }
        long nb = blocks(dir);
        for (long lb = 0; lb < nb; lb++) {
            byte[] d = block(dir, lb);
            for (int off = 0; off < bs;) {
                int rec = recLen(dir, d, off);
                long ino = Le.u32(d, off);
                if (ino != 0 && (name == null ? matches(d, off, cn) : matches(d, off, name))) {
                    return ino;
                }
                off += rec;
            }
        }
        return 0;
    }

    private boolean matches(byte[] d, int off, ComponentName cn) {
        int n = cn.length();
        if (nameLen(d, off) != n) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (d[off + HEADER + i] != (byte) cn.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private boolean matches(byte[] d, int off, byte[] name) {
        if (nameLen(d, off) != name.length) {
            return false;
        }
        for (int i = 0; i < name.length; i++) {
            if (d[off + HEADER + i] != name[i]) {
                return false;
            }
        }
        return true;
    }

    /** Where {@code name} is in {@code dir}, or null. */
    Slot find(Inode dir, byte[] name) throws ErrnoException {
        long nb = blocks(dir);
        for (long lb = 0; lb < nb; lb++) {
            byte[] d = block(dir, lb);
            int prev = -1;
            for (int off = 0; off < bs;) {
                int rec = recLen(dir, d, off);
                long ino = Le.u32(d, off);
                if (ino != 0 && matches(d, off, name)) {
                    Slot s = new Slot();
                    s.lb = lb;
                    s.off = off;
                    s.prev = prev;
                    s.ino = ino;
                    return s;
                }
                prev = off;
                off += rec;
            }
        }
        return null;
    }

    private void put(byte[] d, int off, long ino, int rec, byte[] name, int ft) {
        Le.put32(d, off, ino);
        Le.put16(d, off + 4, rec);
        if (filetype) {
            d[off + 6] = (byte) name.length;
            d[off + 7] = (byte) ft;
        } else {
            Le.put16(d, off + 6, name.length);
        }
        System.arraycopy(name, 0, d, off + HEADER, name.length);
    }

    /** Adds {@code name -> ino} to {@code dir}, growing it by a block if no block has room; the caller writes {@code dir}. */
    void add(Inode dir, byte[] name, long ino, int ft, boolean root) throws ErrnoException {
        int need = align(HEADER + name.length);
        dir.flags &= ~Inode.INDEX_FL;
        long nb = blocks(dir);
        for (long lb = 0; lb < nb; lb++) {
            long phys = m.bmap.get(dir, lb);
            if (phys == 0) {
                throw m.corrupt("directory " + dir.ino + " has a hole at block " + lb);
            }
            BlockCache.Block b = cache.get(phys);
            byte[] d = b.data;
            for (int off = 0; off < bs;) {
                int rec = recLen(dir, d, off);
                long eino = Le.u32(d, off);
                int used = eino == 0 ? 0 : align(HEADER + nameLen(d, off));
                if (rec - used >= need) {
                    if (used == 0) {
                        put(d, off, ino, rec, name, ft);
                    } else {
                        Le.put16(d, off + 4, used);
                        put(d, off + used, ino, rec - used, name, ft);
                    }
                    cache.dirty(b);
                    return;
                }
                off += rec;
            }
        }
        long phys = m.bmap.alloc(dir, nb, root);
        BlockCache.Block b = cache.getZeroed(phys);
        put(b.data, 0, ino, bs, name, ft);
        cache.dirty(b);
        dir.size += bs;
    }

    /** Removes the entry at {@code s}; the caller writes {@code dir}. */
    void remove(Inode dir, Slot s) throws ErrnoException {
        dir.flags &= ~Inode.INDEX_FL;
        BlockCache.Block b = cache.get(m.bmap.get(dir, s.lb));
        byte[] d = b.data;
        if (s.prev < 0) {
            Le.put32(d, s.off, 0);
        } else {
            int rec = Le.u16(d, s.off + 4);
            Le.put16(d, s.prev + 4, Le.u16(d, s.prev + 4) + rec);
        }
        cache.dirty(b);
    }

    /** Points the entry at {@code s} to {@code ino} (rename over an existing name). */
    void retarget(Inode dir, Slot s, long ino, int ft) throws ErrnoException {
        dir.flags &= ~Inode.INDEX_FL;
        BlockCache.Block b = cache.get(m.bmap.get(dir, s.lb));
        Le.put32(b.data, s.off, ino);
        if (filetype) {
            b.data[s.off + 7] = (byte) ft;
        }
        cache.dirty(b);
    }

    /** Whether {@code dir} holds nothing but {@code .} and {@code ..}. */
    boolean isEmpty(Inode dir) throws ErrnoException {
        long nb = blocks(dir);
        for (long lb = 0; lb < nb; lb++) {
            byte[] d = block(dir, lb);
            for (int off = 0; off < bs;) {
                int rec = recLen(dir, d, off);
                if (Le.u32(d, off) != 0 && !isDotOrDotDot(d, off)) {
                    return false;
                }
                off += rec;
            }
        }
        return true;
    }

    private boolean isDotOrDotDot(byte[] d, int off) {
        int n = nameLen(d, off);
        return (n == 1 && d[off + HEADER] == '.') || (n == 2 && d[off + HEADER] == '.' && d[off + HEADER + 1] == '.');
    }

    /** The first block of a new directory: {@code .} and {@code ..}. */
    void init(byte[] d, long self, long parent) {
        put(d, 0, self, 12, new byte[] {'.'}, FT_DIR);
        put(d, 12, parent, bs - 12, new byte[] {'.', '.'}, FT_DIR);
    }

    /** Points {@code ..} of {@code dir} at {@code parent} (a directory moved by rename). */
    void setDotDot(Inode dir, long parent) throws ErrnoException {
        Slot s = find(dir, new byte[] {'.', '.'});
        if (s == null) {
            throw m.corrupt("directory " + dir.ino + " has no ..");
        }
        retarget(dir, s, parent, FT_DIR);
    }

    /** An entry of {@link #readdir}'s block. */
    private record Entry(long ino, int ft, String name, long next) {
    }

    /** Hands entries from byte offset {@code cookie} on to {@code sink}; returns the cookie to go on from. */
    long readdir(Inode dir, long cookie, DirentSink sink) throws ErrnoException {
        long nb = blocks(dir);
        long pos = Math.max(0, cookie);
        List<Entry> entries = new ArrayList<>();
        while (pos < nb * bs) {
            long lb = pos / bs;
            int start = (int) (pos % bs);
            byte[] d = block(dir, lb);
            entries.clear();
            for (int off = 0; off < bs;) {
                int rec = recLen(dir, d, off);
                long ino = Le.u32(d, off);
                if (off >= start && ino != 0) {
                    int nlen = nameLen(d, off);
                    String name = new String(d, off + HEADER, nlen, StandardCharsets.UTF_8);
                    entries.add(new Entry(ino, filetype ? Le.u8(d, off + 7) : FT_UNKNOWN, name, lb * bs + off + rec));
                }
                off += rec;
            }
            for (Entry e : entries) {
                int dt = dtype(e.ft);
                if (!filetype) {
                    dt = dtype(ftype(m.readInode(e.ino).mode));
                }
                if (!sink.accept(e.ino, dt, e.name, e.next)) {
                    return pos;
                }
                pos = e.next;
            }
            pos = (lb + 1) * bs;
        }
        return pos;
    }
}
