package io.jrump.rumpclient;

import static io.jrump.kern.syscall.SyscallNumbers.*;

/**
 * Which buffer arguments the kernel fills rather than reads, for calls made through the generic
 * {@link RumpClient#syscall}: a filled buffer travels as a size and comes back as data, a read one
 * travels as data and comes back as a count. The named methods know this from their signature.
 */
final class BufferDirections {
    private BufferDirections() {
    }

    static boolean kernelFills(int sysno, int slot) {
        return slot == 1 && (sysno == SYS_read || sysno == SYS_recvfrom || sysno == SYS_recvmsg);
    }
}
