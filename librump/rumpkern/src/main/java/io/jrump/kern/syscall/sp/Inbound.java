package io.jrump.kern.syscall.sp;

import io.jrump.kern.syscall.SyscallArgs;
import java.nio.ByteBuffer;

/**
 * One decoded client frame, owned by one server thread and reused for every frame it handles: the
 * syscall's argument block and the buffers its buffer arguments land in are kept between calls, so a
 * steady client makes the server allocate nothing but the objects the kernel may keep or change.
 */
public final class Inbound {
    /** What a reply sends back for a slot. */
    public static final int BACK_NONE = 0;
    public static final int BACK_VALUE = 1;
    public static final int BACK_BUF_IN = 2;
    public static final int BACK_BUF_OUT = 3;
    /** An iovec the kernel read (the reply says how many bytes it took) or filled (the reply carries them). */
    public static final int BACK_BUFS_IN = 4;
    public static final int BACK_BUFS_OUT = 5;

    public int type;
    public int reqno;

    public int sysno;
    public final SyscallArgs args = new SyscallArgs();
    public final int[] back = new int[Protocol.MAX_ARGS];
    /** Why the arguments cannot be handed to the kernel although the frame was well formed, or null. */
    public String argError;
    /** The errno the call then fails with: EFAULT for an argument the kernel cannot use, ENOBUFS for no room. */
    public int argErrno;
    private final ByteBuffer[] scratch = new ByteBuffer[Protocol.MAX_ARGS];
    private final BufferMeter meter;

    public Inbound() {
        this(BufferMeter.NONE);
    }

    /** A frame whose argument buffers are reserved from {@code meter}. */
    public Inbound(BufferMeter meter) {
        this.meter = meter;
    }

    /** Records why the call cannot run (the first reason found wins). */
    public void refuse(int errno, String why) {
        if (argError == null) {
            argError = why;
            argErrno = errno;
        }
    }

    public int version;
    public int kind;
    public String progname;
    public byte[] cookie;

    /** After a call: gives back argument buffers grown past {@code retain} bytes for one big call. */
    public void trim(int retain) {
        for (int k = 0; k < scratch.length; k++) {
            if (scratch[k] != null && scratch[k].capacity() > retain) {
                if (args.o[k] == scratch[k] || args.o[k] instanceof ByteBuffer[]) {
                    args.o[k] = null; // the buffer, or an iovec of slices of it
                }
                meter.release(scratch[k].capacity());
                scratch[k] = null;
            }
        }
    }

    /** Gives back every argument buffer; the frame is not used again. */
    public void release() {
        trim(-1);
    }

    /**
     * A heap buffer for slot {@code k} with room for {@code n} bytes, cleared, limit {@code n}; null if
     * the meter refuses the room.
     */
    public ByteBuffer buffer(int k, int n) {
        ByteBuffer b = scratch[k];
        if (b == null || b.capacity() < n) {
            int size = Math.max(n, 256);
            if (!meter.reserve(size)) {
                return null;
            }
            if (b != null) {
                meter.release(b.capacity());
            }
            b = ByteBuffer.allocate(size);
            scratch[k] = b;
        }
        b.clear().limit(n);
        return b;
    }
}
