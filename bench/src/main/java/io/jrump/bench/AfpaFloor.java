package io.jrump.bench;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.kern.file.Poll;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.netinet.Inet;
import io.jrump.rumpnet.mbuf.MbufCopy;
import io.jrump.rumpnet.socket.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The floor of {@code bench/run afpa}: the least work any in-kernel HTTP server can do per request, so that
 * the accelerator's ratio to the user-level server can be read against the largest ratio this harness allows.
 * It holds every connection on its port back from {@code accept} and answers each request from the data upcall
 * at softint level with one canned response of the file's size, copied from a prepared array: no parsing beyond
 * finding the blank line, no cache, no file system, no checksum shortcut. The client kernel's own cost per
 * request (its TCP, its syscalls, its threads) is the same for every server on the hub and bounds every ratio;
 * this responder measures that bound in the same run, as the tap benchmark's bare echo responder does for the tap.
 */
final class AfpaFloor implements AutoCloseable {
    private final Syscalls sys;
    private final int fd;
    private final Socket listener;
    private final byte[] keepAlive;
    private final byte[] close;
    private final byte[] scratch = new byte[4096];

    private AfpaFloor(Syscalls sys, int fd, Socket listener, int size) {
        this.sys = sys;
        this.fd = fd;
        this.listener = listener;
        this.keepAlive = response(size, false);
        this.close = response(size, true);
    }

    /** Listens on {@code port} of {@code k} and answers every request with {@code size} bytes of body. */
    static AfpaFloor start(Kernel k, int port, int size) throws ErrnoException {
        Syscalls sys = k.syscalls();
        int fd = sys.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
        sys.setsockopt(fd, SocketDefs.SOL_SOCKET, SocketDefs.SO_REUSEADDR, 1);
        sys.bind(fd, SockAddr.in("0.0.0.0", port));
        sys.listen(fd, 128);
        Socket l = k.service(Inet.class).tcp().listener(port);
        AfpaFloor f = new AfpaFloor(sys, fd, l, size);
        l.setAcceptHook((lis, conn) -> {
            conn.setUpcall(f::upcall);
            f.upcall(conn, Poll.POLLIN);
            return true;
        });
        return f;
    }

    private static byte[] response(int size, boolean close) {
        byte[] head = ("HTTP/1.1 200 OK\r\nContent-Length: " + size + "\r\nContent-Type: application/octet-stream\r\n"
                + (close ? "Connection: close\r\n" : "") + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] r = new byte[head.length + size];
        System.arraycopy(head, 0, r, 0, head.length);
        return r;
    }

    /** Runs in the softint with the connection's lock held, as the accelerator's hook mode does. */
    private void upcall(Socket so, int events) {
        if (so.isFreed()) {
            return;
        }
        synchronized (scratch) {
            for (;;) {
                int n = so.peekLocked(0, scratch, 0, scratch.length);
                int end = n <= 0 ? -1 : headEnd(scratch, n);
                if (end < 0) {
                    if (n == 0 && so.hasState(Socket.SS_CANTRCVMORE)) {
                        so.closeByKernel();
                    }
                    return;
                }
                boolean wantsClose = contains(scratch, end, "Connection: close");
                so.mbufs().freeChain(so.receiveLocked(end));
                byte[] r = wantsClose ? close : keepAlive;
                so.sendLocked(MbufCopy.fromBytes(so.mbufs(), r, 0, r.length));
                if (wantsClose) {
                    so.closeByKernel();
                    return;
                }
            }
        }
    }

    private static int headEnd(byte[] b, int n) {
        for (int i = 3; i < n; i++) {
            if (b[i] == '\n' && b[i - 1] == '\r' && b[i - 2] == '\n' && b[i - 3] == '\r') {
                return i + 1;
            }
        }
        return -1;
    }

    private static boolean contains(byte[] b, int n, String s) {
        outer:
        for (int i = 0; i + s.length() <= n; i++) {
            for (int j = 0; j < s.length(); j++) {
                if (b[i + j] != s.charAt(j)) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    @Override
    public void close() throws ErrnoException {
        listener.setAcceptHook(null);
        sys.close(fd);
    }
}
