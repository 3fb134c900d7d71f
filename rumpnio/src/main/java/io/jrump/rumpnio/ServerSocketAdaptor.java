package io.jrump.rumpnio;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Set;

/**
 * The {@link ServerSocket} face of a {@link RumpServerSocketChannel}, as the JDK's adaptor: {@code accept}
 * needs blocking mode and honours {@code SO_TIMEOUT} ({@code SocketTimeoutException "Accept timed out"}),
 * and returns the accepted channel's {@link Socket} adaptor.
 */
final class ServerSocketAdaptor extends ServerSocket {
    private final RumpServerSocketChannel ch;
    private volatile int timeoutMs;

    private ServerSocketAdaptor(RumpServerSocketChannel ch) {
        super(new SocketAdaptor.NoSocketImpl());
        this.ch = ch;
    }

    static ServerSocketAdaptor create(RumpServerSocketChannel ch) {
        return new ServerSocketAdaptor(ch);
    }

    @Override
    public ServerSocketChannel getChannel() {
        return ch;
    }

    @Override
    public void bind(SocketAddress local) throws IOException {
        bind(local, 50);
    }

    @Override
    public void bind(SocketAddress local, int backlog) throws IOException {
        try {
            ch.bind(local, backlog);
        } catch (java.nio.channels.AlreadyBoundException e) {
            throw new SocketException("Already bound");
        } catch (java.nio.channels.ClosedChannelException e) {
            throw new SocketException("Socket is closed");
        }
    }

    @Override
    public InetAddress getInetAddress() {
        InetSocketAddress l = ch.isOpen() ? ch.localIfBound() : null;
        return l == null ? null : l.getAddress();
    }

    @Override
    public int getLocalPort() {
        InetSocketAddress l = ch.isOpen() ? ch.localIfBound() : null;
        return l == null ? -1 : l.getPort();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return ch.isOpen() ? ch.localIfBound() : null;
    }

    @Override
    public Socket accept() throws IOException {
        if (!ch.isOpen()) {
            throw new SocketException("Socket is closed");
        }
        if (!isBound()) {
            throw new SocketException("Socket is not bound yet");
        }
        if (!ch.isBlocking()) {
            throw new IllegalBlockingModeException();
        }
        int t = timeoutMs;
        SocketChannel sc = ch.accept(t == 0 ? -1 : t);
        if (sc == null) {
            if (!ch.isOpen()) {
                throw new SocketException("Socket is closed");
            }
            throw new SocketTimeoutException("Accept timed out");
        }
        return sc.socket();
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }

    @Override
    public boolean isBound() {
        return ch.localIfBound() != null;
    }

    @Override
    public boolean isClosed() {
        return !ch.isOpen();
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        if (!ch.isOpen()) {
            throw new SocketException("Socket is closed");
        }
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout < 0");
        }
        timeoutMs = timeout;
    }

    @Override
    public int getSoTimeout() throws IOException {
        if (!ch.isOpen()) {
            throw new SocketException("Socket is closed");
        }
        return timeoutMs;
    }

    @Override
    public void setReuseAddress(boolean on) throws SocketException {
        try {
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, on);
        } catch (IOException e) {
            throw new SocketException(e.getMessage());
        }
    }

    @Override
    public boolean getReuseAddress() throws SocketException {
        try {
            return ch.getOption(StandardSocketOptions.SO_REUSEADDR);
        } catch (IOException e) {
            throw new SocketException(e.getMessage());
        }
    }

    @Override
    public void setReceiveBufferSize(int size) throws SocketException {
        if (size <= 0) {
            throw new IllegalArgumentException("negative receive size");
        }
        try {
            ch.setOption(StandardSocketOptions.SO_RCVBUF, size);
        } catch (IOException e) {
            throw new SocketException(e.getMessage());
        }
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        try {
            return ch.getOption(StandardSocketOptions.SO_RCVBUF);
        } catch (IOException e) {
            throw new SocketException(e.getMessage());
        }
    }

    @Override
    public <T> ServerSocket setOption(SocketOption<T> name, T value) throws IOException {
        ch.setOption(name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return ch.getOption(name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return ch.supportedOptions();
    }

    @Override
    public String toString() {
        return isBound() ? "ServerSocket[addr=" + getInetAddress() + ",localport=" + getLocalPort() + "]"
                : "ServerSocket[unbound]";
    }
}
