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

    public int type;
    public int reqno;

    public int sysno;
    public final SyscallArgs args = new SyscallArgs();
    public final int[] back = new int[Protocol.MAX_ARGS];
    /** Why the arguments cannot be handed to the kernel although the frame was well formed, or null. */
    public String argError;
    private final ByteBuffer[] scratch = new ByteBuffer[Protocol.MAX_ARGS];

    public int version;
    public int kind;
    public String progname;
    public byte[] cookie;

    /** After a call: gives back argument buffers grown past {@code retain} bytes for one big call. */
    public void trim(int retain) {
        for (int k = 0; k < scratch.length; k++) {
            if (scratch[k] != null && scratch[k].capacity() > retain) {
                if (args.o[k] == scratch[k]) {
                    args.o[k] = null;
                }
                scratch[k] = null;
            }
        }
    }

    /** A heap buffer for slot {@code k} with room for {@code n} bytes, cleared, limit {@code n}. */
    public ByteBuffer buffer(int k, int n) {
        ByteBuffer b = scratch[k];
        if (b == null || b.capacity() < n) {
            b = ByteBuffer.allocate(Math.max(n, 256));
            scratch[k] = b;
        }
        b.clear().limit(n);
        return b;
    }
}
