package io.jrump.hypercall.sp;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import jnr.unixsocket.UnixServerSocketChannel;
import jnr.unixsocket.UnixSocketAddress;
import jnr.unixsocket.UnixSocketChannel;

/**
 * The host side of a sysproxy {@code unix://PATH} listener (librumpuser's {@code sp} code), on
 * jnr-unixsocket, the one transport that can tell who the peer is ({@code SO_PEERCRED}). Binding replaces a stale socket file that no server answers on and refuses a
 * live one ("address in use") or a path that is not a socket. The listening socket is non-blocking behind
 * a selector so that {@link #wakeup} can wake the accepting thread, which a blocking native
 * {@code accept} would not notice; closing removes the socket file.
 */
public final class HostUnixListener implements java.io.Closeable {
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;
    private final UnixServerSocketChannel server;
    private final Selector selector;
    private final Path path;
    private volatile boolean closed;

    private HostUnixListener(UnixServerSocketChannel server, Selector selector, Path path) {
        this.server = server;
        this.selector = selector;
        this.path = path;
    }

    /**
     * Listens on socket file {@code p}; {@code url} names it in messages.
     *
     * @throws BindException if the path is a live socket or not a socket
     */
    public static HostUnixListener bind(Path p, String url) throws IOException {
        if (Files.exists(p, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(p)) {
            if (!isSocket(p)) {
                throw new BindException("cannot listen on " + url + ": " + p + " exists and is not a socket");
            }
            if (live(p)) {
                throw new BindException("address in use: a server is already listening on " + url);
            }
            Files.deleteIfExists(p);
        }
        UnixServerSocketChannel s = UnixServerSocketChannel.open();
        Selector sel = null;
        try {
            s.socket().bind(new UnixSocketAddress(p.toFile()));
            s.configureBlocking(false);
            sel = s.provider().openSelector();
            s.register(sel, SelectionKey.OP_ACCEPT);
        } catch (IOException e) {
            s.close();
            if (sel != null) {
                sel.close();
            }
            throw new IOException("cannot listen on " + url + ": " + e.getMessage(), e);
        }
        return new HostUnixListener(s, sel, p);
    }

    private static boolean isSocket(Path p) {
        try {
            Object mode = Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return mode instanceof Integer m && (m & S_IFMT) == S_IFSOCK;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            try {
                return Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class,
                        LinkOption.NOFOLLOW_LINKS).isOther();
            } catch (IOException gone) {
                return false;
            }
        }
    }

    /** Whether a server answers on the socket file: connection refused means it is stale. */
    private static boolean live(Path p) throws IOException {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(p));
            return true;
        } catch (ConnectException e) {
            return false;
        }
    }

    /** The next connection, or null if woken without one; throws once closed. */
    public HostUnixSocket accept() throws IOException {
        selector.select();
        selector.selectedKeys().clear();
        if (closed) {
            throw new ClosedChannelException();
        }
        UnixSocketChannel c = server.accept();
        if (c == null) {
            return null;
        }
        try {
            c.configureBlocking(true);
            return new HostUnixSocket(c);
        } catch (IOException | RuntimeException e) {
            c.close();
            throw new IOException("cannot read the peer credentials of a client: " + e.getMessage(), e);
        }
    }

    /** Makes a blocked and every later {@link #accept} fail. */
    public void wakeup() {
        closed = true;
        selector.wakeup();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        try {
            server.close();
        } finally {
            try {
                selector.close();
            } finally {
                Files.deleteIfExists(path);
            }
        }
    }
}
