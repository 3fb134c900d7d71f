package io.jrump.rumpnet.socket;

import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;

/**
 * Interface configuration requests made on a socket ({@code ifioctl}): {@code ifconfig} opens any socket
 * and issues {@code SIOC*IF*} ioctls on it. The socket layer cannot know interfaces, which live above it
 * in {@code rumpnet_net}; that component registers a kernel service of this type and socket ioctls are
 * handed to it before the protocol sees them, as NetBSD's {@code soo_ioctl} hands group {@code 'i'}
 * commands to {@code ifioctl}.
 */
public interface IfIoctlHook {
    /** Whether {@code cmd} is an interface request this hook handles. */
    boolean handles(long cmd);

    /** Performs it; {@code arg} is the request object ({@code IfReq}), {@code cred} the caller's. */
    void ioctl(long cmd, Object arg, Cred cred) throws ErrnoException;
}
