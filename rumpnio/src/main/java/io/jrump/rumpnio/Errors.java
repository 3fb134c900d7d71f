package io.jrump.rumpnio;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketException;

/**
 * Turns a kernel errno into the exception the JDK's own provider throws for the same failure, so that
 * a program's {@code catch} clauses work unchanged. The classes follow the JDK's native socket code:
 * a failed {@code connect} is a {@link ConnectException} (refused, timed out), {@link NoRouteToHostException}
 * or {@link BindException}; a reset seen by a read is a {@link SocketException} "Connection reset" (the
 * JDK throws its internal subclass {@code sun.net.ConnectionResetException}, which code outside
 * {@code java.base} cannot name or catch other than as {@code SocketException}); a failed write is a plain
 * {@link IOException}; a connected datagram socket that got an ICMP port unreachable reports
 * {@link PortUnreachableException}. Messages are the Linux {@code strerror} texts the JDK prints on
 * Linux, so that logs read the same.
 */
final class Errors {
    private Errors() {
    }

    /** The text Linux's {@code strerror} gives, for the errnos sockets report; NetBSD's text otherwise. */
    static String message(int errno) {
        return switch (errno) {
            case Errno.ECONNREFUSED -> "Connection refused";
            case Errno.ETIMEDOUT -> "Connection timed out";
            case Errno.EHOSTUNREACH, Errno.EHOSTDOWN -> "No route to host";
            case Errno.ENETUNREACH -> "Network is unreachable";
            case Errno.ENETDOWN -> "Network is down";
            case Errno.EADDRINUSE -> "Address already in use";
            case Errno.EADDRNOTAVAIL -> "Cannot assign requested address";
            case Errno.EACCES -> "Permission denied";
            case Errno.ECONNRESET -> "Connection reset by peer";
            case Errno.EPIPE -> "Broken pipe";
            case Errno.ECONNABORTED -> "Software caused connection abort";
            case Errno.EMSGSIZE -> "Message too long";
            case Errno.ENOBUFS -> "No buffer space available";
            case Errno.EMFILE -> "Too many open files";
            case Errno.EINVAL -> "Invalid argument";
            case Errno.ENOTCONN -> "Transport endpoint is not connected";
            default -> Errno.message(errno);
        };
    }

    /** A failed {@code connect} or {@code finishConnect}. */
    static IOException connect(ErrnoException e) {
        return connect(e.errno());
    }

    static IOException connect(int errno) {
        String m = message(errno);
        return switch (errno) {
            case Errno.ECONNREFUSED, Errno.ETIMEDOUT, Errno.ENOTCONN, Errno.ECONNRESET -> new ConnectException(m);
            case Errno.EHOSTUNREACH, Errno.EHOSTDOWN -> new NoRouteToHostException(m);
            case Errno.EADDRINUSE, Errno.EADDRNOTAVAIL, Errno.EACCES -> new BindException(m);
            default -> new SocketException(m);
        };
    }

    /** A failed {@code bind} or {@code listen}. */
    static IOException bind(ErrnoException e) {
        int errno = e.errno();
        return switch (errno) {
            case Errno.EADDRINUSE, Errno.EADDRNOTAVAIL, Errno.EACCES -> new BindException(message(errno));
            default -> new SocketException(message(errno));
        };
    }

    /** A failed read of a stream socket. */
    static IOException read(ErrnoException e) {
        int errno = e.errno();
        if (errno == Errno.ECONNRESET || errno == Errno.EPIPE) {
            return new SocketException("Connection reset");
        }
        return new IOException(message(errno));
    }

    /** A failed write of a stream socket or a pipe. */
    static IOException write(ErrnoException e) {
        return new IOException(message(e.errno()));
    }

    /** A failed receive or send on a datagram socket; {@code connected}: whether it has a peer. */
    static IOException datagram(ErrnoException e, boolean connected) {
        int errno = e.errno();
        if (connected && errno == Errno.ECONNREFUSED) {
            return new PortUnreachableException(message(errno));
        }
        return new SocketException(message(errno));
    }

    /** Any other failed socket call (options, addresses, shutdown, accept). */
    static IOException socket(ErrnoException e) {
        return new SocketException(message(e.errno()));
    }
}
