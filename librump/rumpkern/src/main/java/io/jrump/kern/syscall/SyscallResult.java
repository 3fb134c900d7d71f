package io.jrump.kern.syscall;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import java.util.List;

/**
 * The checks a stub applies to a call's result object ({@link SyscallArgs#result}) before handing it
 * to the caller as the method's declared type. In-process the kernel always leaves the right type; a
 * remote server might not, and its mistake is EFAULT, not a ClassCastException in the program.
 */
public final class SyscallResult {
    private SyscallResult() {
    }

    /** {@code v} as a {@code type}, null allowed. */
    public static <T> T as(Object v, Class<T> type) throws ErrnoException {
        if (v != null && !type.isInstance(v)) {
            throw new ErrnoException(Errno.EFAULT, "the call returned a " + v.getClass().getSimpleName()
                    + " for a " + type.getSimpleName());
        }
        return type.cast(v);
    }

    /** {@code v} as a list whose every element is a {@code type}. */
    @SuppressWarnings("unchecked")
    public static <T> List<T> listOf(Object v, Class<T> type) throws ErrnoException {
        if (!(v instanceof List<?> l)) {
            throw new ErrnoException(Errno.EFAULT, "the call returned no list of " + type.getSimpleName());
        }
        for (Object e : l) {
            if (!type.isInstance(e)) {
                throw new ErrnoException(Errno.EFAULT, "the call returned a " + e + " for a " + type.getSimpleName());
            }
        }
        return (List<T>) l;
    }
}
