package io.jrump.sysproxy;

import io.jrump.kern.syscall.sp.ArgCodecs;
import io.jrump.kern.syscall.sp.FrameReader;
import io.jrump.kern.syscall.sp.HandshakeFrame;
import io.jrump.kern.syscall.sp.Protocol;
import io.jrump.kern.syscall.sp.ProtocolException;
import io.jrump.kern.syscall.sp.ReplyFrame;
import io.jrump.kern.syscall.sp.SyscallFrame;
import io.jrump.kern.syscall.sp.WireReader;
import io.jrump.kern.syscall.sp.WireWriter;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/** A hand-driven client connection for tests that send what a real client never would. */
final class RawClient implements AutoCloseable {
    final SocketChannel ch;
    final FrameReader frames;
    final WireWriter w = new WireWriter();

    RawClient(Path sock) throws IOException {
        ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(sock));
        frames = FrameReader.replies(ch);
        ByteBuffer b = ByteBuffer.allocate(Protocol.banner().length);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new IOException("no banner");
            }
        }
        if (!new String(b.array()).equals(new String(Protocol.banner()))) {
            throw new IOException("bad banner " + new String(b.array()));
        }
    }

    void send(byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    void send(ByteBuffer frame) throws IOException {
        while (frame.hasRemaining()) {
            ch.write(frame);
        }
    }

    /** Handshakes as a new process and returns its pid. */
    long hello(String name) throws IOException {
        HandshakeFrame.write(w, 1, Protocol.HS_NEW, name, null);
        send(w.finish());
        Reply r = reply();
        if (r.errno != 0) {
            throw new IOException("handshake refused: " + r.detail);
        }
        return r.ret;
    }

    Reply syscall(int reqno, int sysno, long[] i, Object[] o, int[] modes) throws IOException {
        SyscallFrame.write(w, reqno, sysno, i, o, modes, ArgCodecs.core());
        send(w.finish());
        return reply();
    }

    /** The next reply, or null if the server closed the connection. */
    Reply reply() throws IOException {
        WireReader r = frames.next();
        if (r == null) {
            return null;
        }
        Reply rep = new Reply();
        if (r.u8("type") != Protocol.T_REPLY) {
            throw new IOException("not a reply");
        }
        rep.reqno = r.i32("reqno");
        ReplyFrame.read(r, rep, ArgCodecs.core());
        return rep;
    }

    /** True if the server closed the connection (after any replies still in flight). */
    boolean closedByServer() throws IOException {
        try {
            while (reply() != null) {
                continue;
            }
            return true;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }

    /** A decoded reply. */
    static final class Reply implements ReplyFrame.Target {
        int reqno;
        long ret;
        int errno;
        String detail;
        Object result;

        @Override
        public void ok(long r) {
            ret = r;
        }

        @Override
        public void back(int slot, Object value) {
        }

        @Override
        public void backBytes(int slot, WireReader r, int n) throws ProtocolException {
            r.bytes(n, "bytes");
        }

        @Override
        public void result(Object value) {
            result = value;
        }

        @Override
        public void error(int e, String d) {
            errno = e;
            detail = d;
        }
    }
}
