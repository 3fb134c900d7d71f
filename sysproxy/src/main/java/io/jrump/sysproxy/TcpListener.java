package io.jrump.sysproxy;

import io.jrump.hypercall.sp.SpUrl;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/** {@code tcp://ADDR:PORT} on the JDK's sockets; closing the channel wakes the accepting thread. */
final class TcpListener implements Listener {
    private final ServerSocketChannel server;
    private final CredPolicy creds;
    private final SpUrl url;

    private TcpListener(ServerSocketChannel server, CredPolicy creds, SpUrl url) {
        this.server = server;
        this.creds = creds;
        this.url = url;
    }

    static TcpListener bind(SpUrl url, CredPolicy creds) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open();
        try {
            s.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            s.bind(new InetSocketAddress(url.host(), url.port()), 128);
        } catch (IOException e) {
            s.close();
            throw new IOException("cannot listen on " + url + ": " + e.getMessage(), e);
        }
        int port = ((InetSocketAddress) s.getLocalAddress()).getPort();
        return new TcpListener(s, creds, new SpUrl(false, null, url.host(), port));
    }

    @Override
    public Accepted accept() throws IOException {
        SocketChannel c = server.accept();
        c.setOption(StandardSocketOptions.TCP_NODELAY, true);
        InetSocketAddress peer = (InetSocketAddress) c.getRemoteAddress();
        return new Accepted(new NioTransport(c), creds.tcpPeer(peer == null ? null : peer.getAddress()), "tcp " + peer);
    }

    @Override
    public SpUrl url() {
        return url;
    }

    @Override
    public void wakeup() throws IOException {
        server.close();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
