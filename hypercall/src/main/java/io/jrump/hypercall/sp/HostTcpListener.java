package io.jrump.hypercall.sp;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * The host side of a sysproxy {@code tcp://ADDR:PORT} listener (librumpuser's {@code sp} code), on the
 * JDK's socket channels. Accepted connections get {@code TCP_NODELAY}, since every request is a small
 * frame waiting for its answer. Closing the listening channel is what wakes a thread blocked in
 * {@link #accept}, so {@link #wakeup} closes it.
 */
public final class HostTcpListener implements Closeable {
    private final ServerSocketChannel server;
    private final int port;

    private HostTcpListener(ServerSocketChannel server, int port) {
        this.server = server;
        this.port = port;
    }

    /** Listens on {@code host:port} (0 for any free port); {@code url} names it in messages. */
    public static HostTcpListener bind(String host, int port, String url) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open();
        try {
            s.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            s.bind(new InetSocketAddress(host, port), 128);
        } catch (IOException e) {
            s.close();
            throw new IOException("cannot listen on " + url + ": " + e.getMessage(), e);
        }
        return new HostTcpListener(s, ((InetSocketAddress) s.getLocalAddress()).getPort());
    }

    /** The port bound, the one chosen if 0 was asked for. */
    public int port() {
        return port;
    }

    /** The next connection; throws once woken or closed. */
    public HostTcpSocket accept() throws IOException {
        SocketChannel c = server.accept();
        try {
            c.setOption(StandardSocketOptions.TCP_NODELAY, true);
            return new HostTcpSocket(c, (InetSocketAddress) c.getRemoteAddress());
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** Makes a blocked and every later {@link #accept} fail. */
    public void wakeup() throws IOException {
        server.close();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
