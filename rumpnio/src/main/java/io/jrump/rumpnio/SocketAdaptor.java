package io.jrump.rumpnio;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.syscall.SocketDefs;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.Set;

/**
 * The {@link Socket} face of a {@link RumpSocketChannel} ({@link SocketChannel#socket()}), as the JDK's
 * own adaptor: every method goes to the channel, streams need the channel in blocking mode, and
 * {@code SO_TIMEOUT} bounds reads ({@code SocketTimeoutException "Read timed out"}). It is also what
 * {@link RumpSockets#socket()} hands to code written against {@code java.net.Socket}.
 */
final class SocketAdaptor extends Socket {
    private final RumpSocketChannel ch;
    private volatile int timeoutMs;
    private InputStream in;
    private OutputStream out;

    private SocketAdaptor(RumpSocketChannel ch) throws SocketException {
        super(new NoSocketImpl());
        this.ch = ch;
    }

    static SocketAdaptor create(RumpSocketChannel ch) {
        try {
            return new SocketAdaptor(ch);
        } catch (SocketException e) {
            throw new InternalError(e);
        }
    }

    @Override
    public SocketChannel getChannel() {
        return ch;
    }

    @Override
    public void connect(SocketAddress remote) throws IOException {
        connect(remote, 0);
    }

    @Override
    public void connect(SocketAddress remote, int timeout) throws IOException {
        if (remote == null) {
            throw new IllegalArgumentException("connect: The address can't be null");
        }
        if (timeout < 0) {
            throw new IllegalArgumentException("connect: timeout can't be negative");
        }
        if (!ch.isBlocking()) {
            throw new IllegalBlockingModeException();
        }
        try {
            ch.connect(remote, timeout == 0 ? -1 : timeout);
        } catch (java.nio.channels.ClosedChannelException e) {
            throw new SocketException("Socket is closed");
        } catch (java.nio.channels.AlreadyConnectedException e) {
            throw new SocketException("Already connected");
        } catch (java.nio.channels.UnresolvedAddressException e) {
            throw new java.net.UnknownHostException(((InetSocketAddress) remote).getHostString());
        }
    }

    @Override
    public void bind(SocketAddress local) throws IOException {
        try {
            ch.bind(local);
        } catch (java.nio.channels.AlreadyBoundException e) {
            throw new SocketException("Already bound");
        } catch (java.nio.channels.ClosedChannelException e) {
            throw new SocketException("Socket is closed");
        }
    }

    @Override
    public InetAddress getInetAddress() {
        InetSocketAddress r = ch.isConnected() ? ch.remote() : null;
        return r == null ? null : r.getAddress();
    }

    @Override
    public InetAddress getLocalAddress() {
        InetSocketAddress l = local();
        return l == null ? Addresses.inet(0) : l.getAddress();
    }

    private InetSocketAddress local() {
        if (!ch.isOpen()) {
            return null;
        }
        try {
            return (InetSocketAddress) ch.getLocalAddress();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public int getPort() {
        InetSocketAddress r = ch.isConnected() ? ch.remote() : null;
        return r == null ? 0 : r.getPort();
    }

    @Override
    public int getLocalPort() {
        InetSocketAddress l = local();
        return l == null ? -1 : l.getPort();
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return ch.isConnected() ? ch.remote() : null;
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return local();
    }

    @Override
    public InputStream getInputStream() throws IOException {
        if (isClosed()) {
            throw new SocketException("Socket is closed");
        }
        if (!isConnected()) {
            throw new SocketException("Socket is not connected");
        }
        if (isInputShutdown()) {
            throw new SocketException("Socket input is shutdown");
        }
        synchronized (this) {
            if (in == null) {
                in = new In();
            }
            return in;
        }
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        if (isClosed()) {
            throw new SocketException("Socket is closed");
        }
        if (!isConnected()) {
            throw new SocketException("Socket is not connected");
        }
        if (isOutputShutdown()) {
            throw new SocketException("Socket output is shutdown");
        }
        synchronized (this) {
            if (out == null) {
                out = new Out();
            }
            return out;
        }
    }

    private final class In extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (!ch.isBlocking()) {
                throw new IllegalBlockingModeException();
            }
            if (len == 0) {
                return 0;
            }
            int t = timeoutMs;
            return ch.read(ByteBuffer.wrap(b, off, len), t == 0 ? -1 : t);
        }

        @Override
        public int available() throws IOException {
            if (!ch.isOpen()) {
                throw new SocketException("Socket is closed");
            }
            int[] n = new int[1];
            try {
                ch.sys().ioctl(ch.fd(), SocketDefs.FIONREAD, n);
            } catch (ErrnoException e) {
                throw Errors.socket(e);
            }
            return n[0];
        }

        @Override
        public void close() throws IOException {
            SocketAdaptor.this.close();
        }
    }

    private final class Out extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (!ch.isBlocking()) {
                throw new IllegalBlockingModeException();
            }
            ByteBuffer bb = ByteBuffer.wrap(b, off, len);
            while (bb.hasRemaining()) {
                ch.write(bb);
            }
        }

        @Override
        public void close() throws IOException {
            SocketAdaptor.this.close();
        }
    }

    private <T> void set(SocketOption<T> name, T value) throws SocketException {
        try {
            ch.setOption(name, value);
        } catch (SocketException e) {
            throw e;
        } catch (IOException e) {
            throw new SocketException(e.getMessage());
        }
    }

    private <T> T get(SocketOption<T> name) throws SocketException {
        try {
            return ch.getOption(name);
        } catch (SocketException e) {
            throw e;
        } catch (IOException e) {
            throw new SocketException(isClosed() ? "Socket is closed" : e.getMessage());
        }
    }

    @Override
    public void setTcpNoDelay(boolean on) throws SocketException {
        set(StandardSocketOptions.TCP_NODELAY, on);
    }

    @Override
    public boolean getTcpNoDelay() throws SocketException {
        return get(StandardSocketOptions.TCP_NODELAY);
    }

    @Override
    public void setSoLinger(boolean on, int linger) throws SocketException {
        if (on && linger < 0) {
            throw new IllegalArgumentException("Invalid value for SO_LINGER");
        }
        set(StandardSocketOptions.SO_LINGER, on ? linger : -1);
    }

    @Override
    public int getSoLinger() throws SocketException {
        return get(StandardSocketOptions.SO_LINGER);
    }

    @Override
    public void sendUrgentData(int data) throws IOException {
        throw new SocketException("Urgent data not supported");
    }

    @Override
    public void setOOBInline(boolean on) throws SocketException {
        if (on) {
            throw new SocketException("OOBINLINE: urgent data is not supported");
        }
    }

    @Override
    public boolean getOOBInline() throws SocketException {
        return false;
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        if (isClosed()) {
            throw new SocketException("Socket is closed");
        }
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout can't be negative");
        }
        timeoutMs = timeout;
    }

    @Override
    public int getSoTimeout() throws SocketException {
        if (isClosed()) {
            throw new SocketException("Socket is closed");
        }
        return timeoutMs;
    }

    @Override
    public void setSendBufferSize(int size) throws SocketException {
        if (size <= 0) {
            throw new IllegalArgumentException("Invalid send size");
        }
        set(StandardSocketOptions.SO_SNDBUF, size);
    }

    @Override
    public int getSendBufferSize() throws SocketException {
        return get(StandardSocketOptions.SO_SNDBUF);
    }

    @Override
    public void setReceiveBufferSize(int size) throws SocketException {
        if (size <= 0) {
            throw new IllegalArgumentException("Invalid receive size");
        }
        set(StandardSocketOptions.SO_RCVBUF, size);
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        return get(StandardSocketOptions.SO_RCVBUF);
    }

    @Override
    public void setKeepAlive(boolean on) throws SocketException {
        set(StandardSocketOptions.SO_KEEPALIVE, on);
    }

    @Override
    public boolean getKeepAlive() throws SocketException {
        return get(StandardSocketOptions.SO_KEEPALIVE);
    }

    @Override
    public void setTrafficClass(int tc) throws SocketException {
        if (tc < 0 || tc > 255) {
            throw new IllegalArgumentException("tc is not in range 0 -- 255");
        }
        set(StandardSocketOptions.IP_TOS, tc);
    }

    @Override
    public int getTrafficClass() throws SocketException {
        return get(StandardSocketOptions.IP_TOS);
    }

    @Override
    public void setReuseAddress(boolean on) throws SocketException {
        set(StandardSocketOptions.SO_REUSEADDR, on);
    }

    @Override
    public boolean getReuseAddress() throws SocketException {
        return get(StandardSocketOptions.SO_REUSEADDR);
    }

    @Override
    public <T> Socket setOption(SocketOption<T> name, T value) throws IOException {
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
    public void close() throws IOException {
        ch.close();
    }

    @Override
    public void shutdownInput() throws IOException {
        try {
            ch.shutdownInput();
        } catch (java.nio.channels.ClosedChannelException e) {
            throw new SocketException("Socket is closed");
        } catch (java.nio.channels.NotYetConnectedException e) {
            throw new SocketException("Socket is not connected");
        }
    }

    @Override
    public void shutdownOutput() throws IOException {
        try {
            ch.shutdownOutput();
        } catch (java.nio.channels.ClosedChannelException e) {
            throw new SocketException("Socket is closed");
        } catch (java.nio.channels.NotYetConnectedException e) {
            throw new SocketException("Socket is not connected");
        }
    }

    @Override
    public boolean isConnected() {
        return ch.isConnected();
    }

    @Override
    public boolean isBound() {
        return ch.localIfKnown() != null || ch.isConnected();
    }

    @Override
    public boolean isClosed() {
        return !ch.isOpen();
    }

    @Override
    public boolean isInputShutdown() {
        return ch.isInputShut();
    }

    @Override
    public boolean isOutputShutdown() {
        return ch.isOutputShut();
    }

    @Override
    public String toString() {
        if (ch.isConnected()) {
            return "Socket[addr=" + getInetAddress() + ",port=" + getPort() + ",localport=" + getLocalPort() + "]";
        }
        return "Socket[unconnected]";
    }

    /**
     * The {@link SocketImpl} a {@code Socket} subclass must pass up; never used, as every public method
     * is overridden to go to the channel.
     */
    static final class NoSocketImpl extends SocketImpl {
        private static UnsupportedOperationException no() {
            return new UnsupportedOperationException("a rump socket adaptor has no SocketImpl");
        }

        @Override
        protected void create(boolean stream) {
            throw no();
        }

        @Override
        protected void connect(String host, int port) {
            throw no();
        }

        @Override
        protected void connect(InetAddress address, int port) {
            throw no();
        }

        @Override
        protected void connect(SocketAddress address, int timeout) {
            throw no();
        }

        @Override
        protected void bind(InetAddress host, int port) {
            throw no();
        }

        @Override
        protected void listen(int backlog) {
            throw no();
        }

        @Override
        protected void accept(SocketImpl s) {
            throw no();
        }

        @Override
        protected InputStream getInputStream() {
            throw no();
        }

        @Override
        protected OutputStream getOutputStream() {
            throw no();
        }

        @Override
        protected int available() {
            throw no();
        }

        @Override
        protected void close() {
        }

        @Override
        protected void sendUrgentData(int data) {
            throw no();
        }

        @Override
        public void setOption(int optID, Object value) {
            throw no();
        }

        @Override
        public Object getOption(int optID) {
            throw no();
        }
    }
}
