package io.jrump.net;

import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;

/** A network ioctl that is not about one interface (routes, ARP entries): the argument object, the caller. */
@FunctionalInterface
public interface SocketIoctlHandler {
    void ioctl(Object arg, Cred cred) throws ErrnoException;
}
