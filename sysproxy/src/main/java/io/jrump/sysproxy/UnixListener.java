package io.jrump.sysproxy;

import io.jrump.hypercall.sp.SpUrl;
import io.jrump.hypercall.sp.HostUnixListener;
import io.jrump.hypercall.sp.HostUnixSocket;
import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code unix://PATH}: the listener whose host side ({@link HostUnixListener}, in the hypercall layer) can
 * tell who the peer is ({@code SO_PEERCRED}), which {@link CredPolicy} turns into the client's credentials.
 */
final class UnixListener implements Listener {
    private final HostUnixListener host;
    private final SpUrl url;
    private final CredPolicy creds;

    private UnixListener(HostUnixListener host, SpUrl url, CredPolicy creds) {
        this.host = host;
        this.url = url;
        this.creds = creds;
    }

    static UnixListener bind(SpUrl url, CredPolicy creds) throws IOException {
        return new UnixListener(HostUnixListener.bind(Path.of(url.path()), url.toString()), url, creds);
    }

    @Override
    public Accepted accept() throws IOException {
        HostUnixSocket s = host.accept();
        if (s == null) {
            return null;
        }
        return new Accepted(s, creds.unixPeer(s.peerUid(), s.peerGid()),
                "unix peer pid " + s.peerPid() + " uid " + s.peerUid());
    }

    @Override
    public SpUrl url() {
        return url;
    }

    @Override
    public void wakeup() {
        host.wakeup();
    }

    @Override
    public void close() throws IOException {
        host.close();
    }
}
