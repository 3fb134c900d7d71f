package io.jrump.vfs;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The device switch ({@code cdevsw}/{@code bdevsw} and {@code devsw_attach}): which driver serves a
 * device number. Device numbers are NetBSD's encoding, so {@code st_rdev} reads as on NetBSD.
 */
public final class DevSw {
    /** NetBSD's {@code mem} driver: {@code /dev/null} is minor 2, {@code /dev/zero} minor 12. */
    public static final int MEM_MAJOR = 2;
    public static final int NULL_MINOR = 2;
    public static final int ZERO_MINOR = 12;
    /** rumpblk's major, block and character alike ({@code RUMPBLK_DEVMAJOR}). */
    public static final int RUMPBLK_MAJOR = 197;

    private final Map<Integer, CharDevice> cdevs = new ConcurrentHashMap<>();
    private final Map<Integer, BlockDevice> bdevs = new ConcurrentHashMap<>();

    /** {@code makedev}. */
    public static long makedev(int major, int minor) {
        return ((major << 8) & 0x000fff00L) | (minor & 0xffL) | (((long) minor << 12) & 0xfff00000L);
    }

    public static int major(long dev) {
        return (int) ((dev & 0x000fff00L) >>> 8);
    }

    public static int minor(long dev) {
        return (int) ((dev & 0x000000ffL) | ((dev & 0xfff00000L) >>> 12));
    }

    public void attachChar(int major, CharDevice d) {
        if (cdevs.putIfAbsent(major, d) != null) {
            throw new IllegalStateException("character major " + major + " is taken");
        }
    }

    public void attachBlock(int major, BlockDevice d) {
        if (bdevs.putIfAbsent(major, d) != null) {
            throw new IllegalStateException("block major " + major + " is taken");
        }
    }

    public void detach(int major) {
        cdevs.remove(major);
        bdevs.remove(major);
    }

    /** The driver of a character device; ENXIO if none is attached ({@code cdevsw_lookup} failing). */
    public CharDevice cdev(long dev) throws ErrnoException {
        CharDevice d = cdevs.get(major(dev));
        if (d == null) {
            throw new ErrnoException(Errno.ENXIO, "no character device " + major(dev) + "," + minor(dev));
        }
        return d;
    }

    public BlockDevice bdev(long dev) throws ErrnoException {
        BlockDevice d = bdevs.get(major(dev));
        if (d == null) {
            throw new ErrnoException(Errno.ENXIO, "no block device " + major(dev) + "," + minor(dev));
        }
        return d;
    }
}
