package io.jrump.tools;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.SockAddr;
import io.jrump.kern.SocketDefs;
import io.jrump.kern.Syscalls;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;

/**
 * {@code rump.nc}, netcat over the rump kernel's sockets, like OpenBSD's nc(1): standard input to the
 * socket and the socket to standard output; {@code -l} listens and serves one peer, {@code -u} uses
 * UDP, {@code -N} shuts the socket down for writing at end of input, {@code -w} ends after that many
 * seconds without data.
 */
public final class Nc implements Tool {
    private final InputStream in;

    public Nc(InputStream in) {
        this.in = in;
    }

    @Override
    public String name() {
        return "nc";
    }

    @Override
    public String usage() {
        return "usage: rump.nc [-l] [-u] [-N] [-w secs] [host] port";
    }

    @Override
    public int run(Syscalls sys, String[] args, PrintStream out, PrintStream err) throws ErrnoException, UsageException {
        boolean listen = false;
        boolean udp = false;
        boolean shutdownAtEof = false;
        int idleMs = 0;
        String host = null;
        String port = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.startsWith("-") && a.length() > 1) {
                for (int k = 1; k < a.length(); k++) {
                    switch (a.charAt(k)) {
                        case 'l' -> listen = true;
                        case 'u' -> udp = true;
                        case 'N' -> shutdownAtEof = true;
                        case 'n', 'v' -> { }
                        case 'w' -> idleMs = 1000 * Tables.parseInt(Ifconfig.arg(args, ++i, "-w"), "timeout", 1, 86400);
                        default -> throw new UsageException("unknown flag -" + a.charAt(k));
                    }
                }
            } else if (port == null && host == null && i == args.length - 1) {
                port = a;
            } else if (host == null) {
                host = a;
            } else if (port == null) {
                port = a;
            } else {
                throw new UsageException("unexpected " + a);
            }
        }
        if (port == null) {
            throw new UsageException("no port");
        }
        int p = Tables.parseInt(port, "port", 1, 65535);
        if (!listen && host == null) {
            throw new UsageException("no host to connect to");
        }
        int s = sys.socket(SocketDefs.AF_INET, udp ? SocketDefs.SOCK_DGRAM : SocketDefs.SOCK_STREAM, 0);
        int conn = s;
        try {
            if (listen) {
                sys.setsockopt(s, SocketDefs.SOL_SOCKET, SocketDefs.SO_REUSEADDR, 1);
                sys.bind(s, SockAddr.in(host == null ? 0 : Tables.parseAddr(host), p));
                if (udp) {
                    ByteBuffer first = ByteBuffer.allocate(65536);
                    SockAddr from = new SockAddr();
                    int n = sys.recvfrom(s, first, 0, from);
                    out.write(first.array(), 0, n);
                    out.flush();
                    sys.connect(s, from);
                } else {
                    sys.listen(s, 1);
                    conn = sys.accept(s, null);
                }
            } else {
                sys.connect(s, SockAddr.in(Tables.parseAddr(host), p));
            }
            if (idleMs > 0) {
                sys.setsockopt(conn, SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVTIMEO, idleMs);
            }
            relay(sys, conn, udp, shutdownAtEof, idleMs, out, err);
            return 0;
        } finally {
            if (conn != s) {
                sys.close(conn);
            }
            sys.close(s);
        }
    }

    private void relay(Syscalls sys, int fd, boolean udp, boolean shutdownAtEof, int idleMs, PrintStream out,
                       PrintStream err) throws ErrnoException {
        int[] status = {0};
        Thread sender = new Thread(() -> {
            byte[] b = new byte[udp ? 1472 : 65536];
            try {
                int n;
                while ((n = in.read(b)) > 0) {
                    ByteBuffer bb = ByteBuffer.wrap(b, 0, n);
                    while (bb.hasRemaining()) {
                        sys.sendto(fd, bb, 0, null);
                    }
                }
                if (shutdownAtEof && !udp) {
                    sys.shutdown(fd, SocketDefs.SHUT_WR);
                }
            } catch (IOException e) {
                err.println("rump.nc: stdin: " + e.getMessage());
            } catch (ErrnoException e) {
                if (e.errno() != Errno.EPIPE) {
                    err.println("rump.nc: send: " + Errno.message(e.errno()));
                    status[0] = 1;
                }
            }
        }, "nc-stdin");
        sender.setDaemon(true);
        sender.start();
        ByteBuffer buf = ByteBuffer.allocate(65536);
        // UDP has no end of stream: without -w, stop once input has ended and replies have stopped coming.
        boolean untilInputEnds = udp && idleMs == 0;
        if (untilInputEnds) {
            sys.setsockopt(fd, SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVTIMEO, 250);
        }
        while (true) {
            buf.clear();
            int n;
            try {
                n = sys.recvfrom(fd, buf, 0, null);
            } catch (ErrnoException e) {
                if (e.errno() == Errno.EAGAIN) {
                    if (untilInputEnds && sender.isAlive()) {
                        continue;
                    }
                    break;
                }
                throw e;
            }
            if (n == 0 && !udp) {
                break;
            }
            out.write(buf.array(), 0, n);
            out.flush();
        }
        try {
            sender.join(idleMs > 0 ? idleMs : 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
