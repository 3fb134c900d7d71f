package io.jrump.rumpnio;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.DatagramSocketImpl;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.IllegalBlockingModeException;
import java.util.Set;

/**
 * The {@link DatagramSocket} face of a {@link RumpDatagramChannel}, as the JDK's adaptor: send and
 * receive need blocking mode, and {@code SO_TIMEOUT} bounds {@code receive}.
 */
final class DatagramSocketAdaptor extends DatagramSocket {
    private final RumpDatagramChannel ch;
    private volatile int timeoutMs;

    private DatagramSocketAdaptor(RumpDatagramChannel ch) {
        super(new NoDatagramSocketImpl());
        this.ch = ch;
    }

    static DatagramSocketAdaptor create(RumpDatagramChannel ch) {
        return new DatagramSocketAdaptor(ch);
    }

    @Override
    public DatagramChannel getChannel() {
        return ch;
    }

    @Override
    public void bind(SocketAddress local) throws SocketException {
        try {
            ch.bind(local);
        } catch (java.nio.channels.AlreadyBoundException e) {
            throw new SocketException("already bound");
        } catch (SocketException e) {
            throw e;
        } catch (IOException e) {
            throw new SocketException(e.getMessage());
        }
    }

    @Override
    public void connect(InetAddress address, int port) {
        try {
            connect(new InetSocketAddress(address, port));
        } catch (SocketException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void connect(SocketAddress remote) throws SocketException {
        if (remote == null) {
            throw new IllegalArgumentException("Address can't be null");
        }
        try {
            ch.connect(remote);
        } catch (SocketException e) {
            throw e;
        } catch (IOException e) {
            throw new SocketException(e.getMessage());
        }
    }

    @Override
    public void disconnect() {
        try {
            ch.disconnect();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public boolean isBound() {
        return ch.localIfBound() != null;
    }

    @Override
    public boolean isConnected() {
        return ch.isConnected();
    }

    @Override
    public InetAddress getInetAddress() {
        InetSocketAddress r = ch.remote();
        return r == null ? null : r.getAddress();
    }

    @Override
    public int getPort() {
        InetSocketAddress r = ch.remote();
        return r == null ? -1 : r.getPort();
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return ch.remote();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return ch.isOpen() ? ch.localIfBound() : null;
    }

    @Override
    public InetAddress getLocalAddress() {
        InetSocketAddress l = ch.isOpen() ? ch.localIfBound() : null;
        return l == null ? Addresses.inet(0) : l.getAddress();
    }

    @Override
    public int getLocalPort() {
        if (!ch.isOpen()) {
            return -1;
        }
        InetSocketAddress l = ch.localIfBound();
        return l == null ? 0 : l.getPort();
    }

    @Override
    public void send(DatagramPacket p) throws IOException {
        if (!ch.isBlocking()) {
            throw new IllegalBlockingModeException();
        }
        ByteBuffer b = ByteBuffer.wrap(p.getData(), p.getOffset(), p.getLength());
        SocketAddress to = p.getAddress() == null ? ch.remote() : p.getSocketAddress();
        if (to == null) {
            throw new IllegalArgumentException("Address not set");
        }
        ch.send(b, to);
    }

    @Override
    public void receive(DatagramPacket p) throws IOException {
        if (!ch.isBlocking()) {
            throw new IllegalBlockingModeException();
        }
        ByteBuffer b = ByteBuffer.wrap(p.getData(), p.getOffset(), p.getData().length - p.getOffset());
        int t = timeoutMs;
        SocketAddress from = ch.receive(b, t == 0 ? -1 : t);
        p.setLength(b.position() - p.getOffset());
        if (from != null) {
            p.setSocketAddress(from);
        }
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout < 0");
        }
        timeoutMs = timeout;
    }

    @Override
    public int getSoTimeout() {
        return timeoutMs;
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
            throw new SocketException(e.getMessage());
        }
    }

    @Override
    public void setSendBufferSize(int size) throws SocketException {
        set(StandardSocketOptions.SO_SNDBUF, size);
    }

    @Override
    public int getSendBufferSize() throws SocketException {
        return get(StandardSocketOptions.SO_SNDBUF);
    }

    @Override
    public void setReceiveBufferSize(int size) throws SocketException {
        set(StandardSocketOptions.SO_RCVBUF, size);
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        return get(StandardSocketOptions.SO_RCVBUF);
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
    public void setBroadcast(boolean on) throws SocketException {
        set(StandardSocketOptions.SO_BROADCAST, on);
    }

    @Override
    public boolean getBroadcast() throws SocketException {
        return get(StandardSocketOptions.SO_BROADCAST);
    }

    @Override
    public void setTrafficClass(int tc) throws SocketException {
        set(StandardSocketOptions.IP_TOS, tc);
    }

    @Override
    public int getTrafficClass() throws SocketException {
        return get(StandardSocketOptions.IP_TOS);
    }

    @Override
    public <T> DatagramSocket setOption(SocketOption<T> name, T value) throws IOException {
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
    public void close() {
        try {
            ch.close();
        } catch (IOException e) {
            // closing has no failure a caller could act on
        }
    }

    @Override
    public boolean isClosed() {
        return !ch.isOpen();
    }

    /** The implementation a {@code DatagramSocket} subclass must pass up; never used. */
    private static final class NoDatagramSocketImpl extends DatagramSocketImpl {
        private static UnsupportedOperationException no() {
            return new UnsupportedOperationException("a rump datagram socket adaptor has no DatagramSocketImpl");
        }

        @Override
        protected void create() {
        }

        @Override
        protected void bind(int lport, InetAddress laddr) {
            throw no();
        }

        @Override
        protected void send(DatagramPacket p) {
            throw no();
        }

        @Override
        protected int peek(InetAddress i) {
            throw no();
        }

        @Override
        protected int peekData(DatagramPacket p) {
            throw no();
        }

        @Override
        protected void receive(DatagramPacket p) {
            throw no();
        }

        @Override
        @Deprecated
        protected void setTTL(byte ttl) {
            throw no();
        }

        @Override
        @Deprecated
        protected byte getTTL() {
            throw no();
        }

        @Override
        protected void setTimeToLive(int ttl) {
            throw no();
        }

        @Override
        protected int getTimeToLive() {
            throw no();
        }

        @Override
        protected void join(InetAddress inetaddr) {
            throw no();
        }

        @Override
        protected void leave(InetAddress inetaddr) {
            throw no();
        }

        @Override
        protected void joinGroup(SocketAddress mcastaddr, NetworkInterface netIf) {
            throw no();
        }

        @Override
        protected void leaveGroup(SocketAddress mcastaddr, NetworkInterface netIf) {
            throw no();
        }

        @Override
        protected void close() {
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
