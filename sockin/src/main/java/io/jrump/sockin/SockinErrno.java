package io.jrump.sockin;

import com.google.common.collect.ImmutableMap;
import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.util.Map;

/**
 * Host socket failures as the NetBSD errnos they stand for, so that sockin reports what
 * {@code rumpnet_netinet} would. Java names few socket errors by class and carries the rest only as
 * the host's {@code strerror} text, so the text decides where the class does not.
 */
final class SockinErrno {
    /** Linux's {@code strerror} texts (and Java's own wording) with the errno each stands for, tried in order. */
    private static final ImmutableMap<String, Integer> BY_MESSAGE = ImmutableMap.<String, Integer>builder()
            .put("Connection refused", Errno.ECONNREFUSED)
            .put("Connection reset", Errno.ECONNRESET)
            .put("Broken pipe", Errno.EPIPE)
            .put("Address already in use", Errno.EADDRINUSE)
            .put("Cannot assign requested address", Errno.EADDRNOTAVAIL)
            .put("Network is unreachable", Errno.ENETUNREACH)
            .put("No route to host", Errno.EHOSTUNREACH)
            .put("Connection timed out", Errno.ETIMEDOUT)
            .put("Permission denied", Errno.EACCES)
            .put("Message too long", Errno.EMSGSIZE)
            .put("No buffer space", Errno.ENOBUFS)
            .put("Transport endpoint is not connected", Errno.ENOTCONN)
            .put("Protocol not available", Errno.ENOPROTOOPT)
            .put("Invalid argument", Errno.EINVAL)
            .put("Connection aborted", Errno.ECONNABORTED)
            .put("Host is down", Errno.EHOSTDOWN)
            .put("Operation not permitted", Errno.EACCES)
            .build();

    private SockinErrno() {
    }

    /** The failure {@code e} of the host call {@code what}, with its NetBSD errno. */
    static ErrnoException errno(Throwable e, String what) {
        if (e instanceof ErrnoException x) {
            return x;
        }
        String msg = e.getMessage();
        return new ErrnoException(errnoOf(e), what + ": " + (msg != null ? msg : e.getClass().getSimpleName()));
    }

    private static int errnoOf(Throwable e) {
        if (e instanceof PortUnreachableException) {
            return Errno.ECONNREFUSED;
        }
        if (e instanceof NoRouteToHostException) {
            return Errno.EHOSTUNREACH;
        }
        if (e instanceof AlreadyBoundException) {
            return Errno.EINVAL;
        }
        if (e instanceof AlreadyConnectedException) {
            return Errno.EISCONN;
        }
        if (e instanceof ConnectionPendingException) {
            return Errno.EALREADY;
        }
        if (e instanceof NotYetConnectedException) {
            return Errno.ENOTCONN;
        }
        if (e instanceof UnsupportedAddressTypeException) {
            return Errno.EAFNOSUPPORT;
        }
        if (e instanceof ClosedChannelException) {
            return Errno.EBADF;
        }
        String m = e.getMessage() == null ? "" : e.getMessage();
        for (Map.Entry<String, Integer> t : BY_MESSAGE.entrySet()) {
            if (m.contains(t.getKey())) {
                return t.getValue();
            }
        }
        if (e instanceof ConnectException) {
            return Errno.ECONNREFUSED;
        }
        if (e instanceof BindException) {
            return Errno.EADDRINUSE;
        }
        return e instanceof IllegalArgumentException ? Errno.EINVAL : Errno.EIO;
    }
}
