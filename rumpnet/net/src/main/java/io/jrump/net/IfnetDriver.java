package io.jrump.net;

import io.jrump.kern.ErrnoException;
import io.jrump.rumpnet.mbuf.Mbuf;

/**
 * The driver side of an interface ({@code if_transmit}, {@code if_ioctl}, {@code if_stop}): what a
 * backend (the shmif bus, a tap device, the loopback) implements. The kernel never reaches the host
 * network except through one of these.
 */
public interface IfnetDriver {
    /**
     * Sends one frame (a chain with the link header in front). The driver owns {@code m} from here and
     * frees it when the frame has been handed to the host, so a buffer-free hook sees real completion.
     */
    void transmit(Ifnet ifp, Mbuf m);

    /** Driver-specific configuration, such as {@code linkstr}; ENOTTY if the driver has none. */
    default void ioctl(Ifnet ifp, long cmd, IfReq req) throws ErrnoException {
        throw new ErrnoException(io.jrump.hypercall.Errno.ENOTTY, ifp.name() + " has no such control");
    }

    /** The interface is going down or being destroyed: stop receive threads and release the host side. */
    void stop(Ifnet ifp);
}
