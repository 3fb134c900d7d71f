package io.jrump.p2k;

import static io.jrump.p2k.FuseAbi.ATTR_OUT;
import static io.jrump.p2k.FuseAbi.OUT_HEADER;

import io.jrump.kern.vfs.Stat;
import java.nio.ByteBuffer;

/**
 * The attribute records of FUSE replies ({@code fuse_entry_out}, {@code fuse_attr_out}, {@code fuse_attr})
 * written from a kernel {@code struct stat}, with the time Linux may cache an entry or its attributes.
 * Every change reaches the image through this server and Linux drops what it cached for what a reply
 * changed, so the timeout bounds only how often Linux asks, never how stale an answer is.
 */
final class FuseAttrOut {
    private final long entryTimeoutNanos;

    FuseAttrOut(long entryTimeoutNanos) {
        this.entryTimeoutNanos = entryTimeoutNanos;
    }

    void putEntryTimes(ByteBuffer out, int pos, long id) {
        long sec = entryTimeoutNanos / 1_000_000_000L;
        int nsec = (int) (entryTimeoutNanos % 1_000_000_000L);
        out.putLong(pos, id);
        out.putLong(pos + 8, 0);
        out.putLong(pos + 16, sec);
        out.putLong(pos + 24, sec);
        out.putInt(pos + 32, nsec);
        out.putInt(pos + 36, nsec);
    }

    void putEntry(ByteBuffer out, int pos, long id, Stat st) {
        putEntryTimes(out, pos, id);
        putAttr(out, pos + 40, st);
    }

    int attrOut(ByteBuffer out, Stat st) {
        out.putLong(OUT_HEADER, entryTimeoutNanos / 1_000_000_000L);
        out.putInt(OUT_HEADER + 8, (int) (entryTimeoutNanos % 1_000_000_000L));
        out.putInt(OUT_HEADER + 12, 0);
        putAttr(out, OUT_HEADER + 16, st);
        return ATTR_OUT;
    }

    /** {@code struct fuse_attr} of a kernel {@code struct stat}. */
    static void putAttr(ByteBuffer out, int pos, Stat st) {
        out.putLong(pos, st.ino());
        out.putLong(pos + 8, st.size());
        out.putLong(pos + 16, st.blocks());
        out.putLong(pos + 24, st.atimeSec());
        out.putLong(pos + 32, st.mtimeSec());
        out.putLong(pos + 40, st.ctimeSec());
        out.putInt(pos + 48, (int) st.atimeNsec());
        out.putInt(pos + 52, (int) st.mtimeNsec());
        out.putInt(pos + 56, (int) st.ctimeNsec());
        out.putInt(pos + 60, st.mode());
        out.putInt(pos + 64, st.nlink());
        out.putInt(pos + 68, st.uid());
        out.putInt(pos + 72, st.gid());
        out.putInt(pos + 76, (int) st.rdev());
        out.putInt(pos + 80, st.blksize() > 0 ? st.blksize() : 4096);
        out.putInt(pos + 84, 0);
    }
}
