package io.jrump.net;

import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;

/** A protocol family's interface ioctls (netinet's SIOCAIFADDR and SIOCDIFADDR). */
@FunctionalInterface
public interface IfIoctlHandler {
    void ioctl(Ifnet ifp, long cmd, IfReq req, Cred cred) throws ErrnoException;
}
