package io.jrump.sysproxy;

import io.jrump.hypercall.sp.HostUnixSocket;
import java.io.IOException;
import java.nio.ByteBuffer;

/** A {@link Transport} on a host unix-domain socket of the hypercall layer. */
final class UnixTransport implements Transport {
    private final HostUnixSocket s;

    UnixTransport(HostUnixSocket s) {
        this.s = s;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return s.read(dst);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return s.write(src);
    }

    @Override
    public void shutdown() {
        s.shutdown();
    }

    @Override
    public boolean isOpen() {
        return s.isOpen();
    }

    @Override
    public void close() throws IOException {
        s.close();
    }
}
