package io.jrump.kern.syscall;

/**
 * A syscall's arguments passed by value: integers in {@link #i}, objects (buffers, strings, address
 * records) in {@link #o}, and an object result in {@link #result}. Each lwp owns one and reuses it, so
 * entering the kernel allocates nothing.
 */
public final class SyscallArgs {
    public static final int MAX = 6;
    public final long[] i = new long[MAX];
    public final Object[] o = new Object[MAX];
    public Object result;

    void clear() {
        for (int k = 0; k < MAX; k++) {
            o[k] = null;
        }
        result = null;
    }
}
