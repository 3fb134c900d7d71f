package io.jrump.virtif;

/**
 * The layout of a shmif bus file. NetBSD's {@code if_shmem.c} (and its {@code shmifvar.h}) is the
 * model: a header with a magic number, a version, a generation counter and a lock word, followed by a
 * ring of frames that writers append under the lock and every reader follows at its own pace. This is
 * our own format, not NetBSD's byte layout; a bus is shared by jrump kernels only.
 *
 * <p>All integers are little-endian; offsets are from the start of the file.
 * <pre>
 * off  size  field
 *   0     4  magic          {@link #MAGIC}
 *   4     4  version        {@link #VERSION}
 *   8     4  header size    {@link #HEADER_SIZE}: where the ring starts
 *  12     4  ring size      bytes in the ring, {@link #MIN_RING}..{@link #MAX_RING}
 *  16     8  generation     absolute offset of the next write: total bytes ever appended. Published
 *                           (release) after a frame is complete, so everything below it is readable
 *  24     8  reserve        absolute end of the furthest write ever begun, set before its bytes are
 *                           stored. Ring bytes for absolute offsets below {@code reserve - ring size}
 *                           may have been overwritten: a reader checks it after copying a frame
 *  32     8  first          absolute offset of the oldest frame still whole in the ring (for dumpbus)
 *  40     8  next sequence  sequence number the next frame gets; readers count lost frames by it
 *  48     8  lock word      0 when free, else the holder's ticket: sender id in the high 32 bits and a
 *                           per-holder acquisition count in the low 32, taken by compare-and-set
 *  56     4  lock holder    sender id of the holder, 0 when free (informational)
 *  60     4  lock breaks    how often a lock held too long was broken (informational)
 *  64     8  lock time      wall-clock nanoseconds when the holder took the lock (informational)
 *  72    56  reserved, zero
 * 128        the ring
 * </pre>
 *
 * <p>A frame at absolute offset {@code a} lives at ring byte {@code a % ring size}; its 24-byte header
 * and its bytes may wrap around the ring end. Frames follow each other with no padding.
 * <pre>
 * off  size  field
 *   0     4  length         bytes of Ethernet frame that follow the header
 *   4     4  sender id      the writing link's id; a link skips its own frames (shmif's sp_sender)
 *   8     8  timestamp      wall-clock nanoseconds since the epoch, from the writer's hypercall clock
 *  16     8  sequence       the bus-wide frame number
 *  24        frame bytes
 * </pre>
 */
final class ShmifLayout {
    /** "jshm" when the first four bytes are read as a big-endian number. */
    static final int MAGIC = 0x6a73686d;
    static final int VERSION = 1;
    static final int HEADER_SIZE = 128;

    static final int OFF_MAGIC = 0;
    static final int OFF_VERSION = 4;
    static final int OFF_HEADER_SIZE = 8;
    static final int OFF_RING_SIZE = 12;
    static final int OFF_GENERATION = 16;
    static final int OFF_RESERVE = 24;
    static final int OFF_FIRST = 32;
    static final int OFF_NEXT_SEQ = 40;
    static final int OFF_LOCK = 48;
    static final int OFF_LOCK_HOLDER = 56;
    static final int OFF_LOCK_BREAKS = 60;
    static final int OFF_LOCK_TIME = 64;

    static final int FRAME_HEADER = 24;
    static final int FOFF_LENGTH = 0;
    static final int FOFF_SENDER = 4;
    static final int FOFF_TIME = 8;
    static final int FOFF_SEQ = 16;

    /** NetBSD's shmif bus is 1 MiB ({@code BUSMEM_SIZE}); so is ours unless told otherwise. */
    static final int DEFAULT_RING = 1 << 20;
    static final int MIN_RING = 4096;
    static final int MAX_RING = 1 << 30;

    private ShmifLayout() {
    }
}
