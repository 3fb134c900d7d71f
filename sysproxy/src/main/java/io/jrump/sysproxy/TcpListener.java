package io.jrump.sysproxy;

import io.jrump.hypercall.sp.HostTcpListener;
import io.jrump.hypercall.sp.HostTcpSocket;
import io.jrump.hypercall.sp.SpUrl;
import java.io.IOException;

/**
 * {@code tcp://ADDR:PORT}: the listener whose host side ({@link HostTcpListener}, in the hypercall layer)
 * knows only the peer's address, which {@link CredPolicy} turns into the client's credentials.
 */
final class TcpListener implements Listener {
    private final HostTcpListener host;
    private final CredPolicy creds;
    private final SpUrl url;

    private TcpListener(HostTcpListener host, CredPolicy creds, SpUrl url) {
        this.host = host;
        this.creds = creds;
        this.url = url;
    }

    static TcpListener bind(SpUrl url, CredPolicy creds) throws IOException {
        HostTcpListener h = HostTcpListener.bind(url.host(), url.port(), url.toString());
        return new TcpListener(h, creds, new SpUrl(false, null, url.host(), h.port()));
    }

    @Override
    public Accepted accept() throws IOException {
        HostTcpSocket s = host.accept();
        return new Accepted(s, creds.tcpPeer(s.peerAddress()), "tcp " + s.peerName());
    }

    @Override
    public SpUrl url() {
        return url;
    }

    @Override
    public void wakeup() throws IOException {
        host.wakeup();
    }

    @Override
    public void close() throws IOException {
        host.close();
    }
}
