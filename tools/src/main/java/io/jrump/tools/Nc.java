package io.jrump.tools;

import com.google.common.base.MoreObjects;
import com.google.common.primitives.Ints;
import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.file.KFile;
import io.jrump.kern.file.Poll;
import io.jrump.kern.file.PollFd;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code rump.nc}, netcat over the rump kernel's sockets, with OpenBSD nc(1)'s flags and behaviour:
 * standard input goes to the socket and the socket to standard output. A client connects to
 * {@code HOST PORT}; {@code -l [-p] PORT} listens and serves one peer ({@code -k}: one after another).
 * At the end of input the socket stays open for the peer's answer; {@code -N} shuts it down for
 * writing, so that the peer sees end of file. A listener is done when its peer has closed; a client
 * when its peer has closed and its input has ended. {@code -w} bounds the connect and ends the program
 * after that many seconds without data; {@code -z} only connects, to each port of a list or range;
 * {@code -u} uses UDP; {@code -d} reads no input; {@code -v} reports connections on standard error.
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
        return "usage: rump.nc [-46dklNnuvz] [-p port] [-s source] [-w timeout] [destination] [port]";
    }

    /** The parsed command line. */
    private static final class Options {
        boolean listen;
        boolean keep;
        boolean udp;
        boolean shutdownAtEof;
        boolean noStdin;
        boolean verbose;
        boolean scan;
        int timeoutMs;
        String sourcePort;
        String source;
        String host;
        String port;
    }

    @Override
    public int run(Syscalls sys, String[] args, PrintStream out, PrintStream err) throws ErrnoException, UsageException {
        Options o = new Options();
        String[] positional = new String[2];
        int npos = 0;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.startsWith("-") && a.length() > 1) {
                for (int k = 1; k < a.length(); k++) {
                    switch (a.charAt(k)) {
                        case 'l' -> o.listen = true;
                        case 'k' -> o.keep = true;
                        case 'u' -> o.udp = true;
                        case 'N' -> o.shutdownAtEof = true;
                        case 'd' -> o.noStdin = true;
                        case 'v' -> o.verbose = true;
                        case 'z' -> o.scan = true;
                        case 'n', '4' -> { }
                        case 'w', 'p', 's' -> {
                            String v = k + 1 < a.length() ? a.substring(k + 1) : Args.arg(args, ++i, "-" + a.charAt(k));
                            switch (a.charAt(k)) {
                                case 'w' -> o.timeoutMs = 1000 * Args.number(v, "timeout", 1, 86400);
                                case 'p' -> o.sourcePort = v;
                                default -> o.source = v;
                            }
                            k = a.length();
                        }
                        default -> throw new UsageException("unknown flag -" + a.charAt(k));
                    }
                }
            } else if (npos < 2) {
                positional[npos++] = a;
            } else {
                throw new UsageException("unexpected " + a);
            }
        }
        if (o.listen) {
            // nc -l PORT, nc -l HOST PORT, nc -l -p PORT [HOST]
            if (o.sourcePort != null) {
                o.port = o.sourcePort;
                o.host = positional[0];
                if (npos > 1) {
                    throw new UsageException("unexpected " + positional[1]);
                }
            } else if (npos == 1) {
                o.port = positional[0];
            } else {
                o.host = positional[0];
                o.port = positional[1];
            }
            if (o.scan) {
                throw new UsageException("-z and -l are mutually exclusive");
            }
        } else {
            if (npos < 2) {
                throw new UsageException(npos == 0 ? "no destination" : "no port");
            }
            o.host = positional[0];
            o.port = positional[1];
        }
        if (o.port == null) {
            throw new UsageException("no port");
        }
        int[] ports = ports(o.port, o.scan, err);
        int lport = 0;
        if (!o.listen && o.sourcePort != null) {
            int[] sp = ports(o.sourcePort, false, err);
            if (sp == null) {
                return 1;
            }
            lport = sp[0];
        }
        if (ports == null) {
            return 1;
        }
        Integer addr = o.host == null ? Integer.valueOf(0) : host(o.host, err);
        Integer src = o.source == null ? Integer.valueOf(0) : host(o.source, err);
        if (addr == null || src == null) {
            return 1;
        }
        if (o.listen) {
            return o.udp ? listenUdp(sys, o, addr, ports[0], out, err) : listenTcp(sys, o, addr, ports[0], out, err);
        }
        if (o.scan) {
            return scan(sys, o, addr, src, lport, ports, err);
        }
        int s = connect(sys, o, addr, src, lport, ports[0], err);
        if (s < 0) {
            return 1;
        }
        try {
            return relay(sys, s, o, false, out, err);
        } finally {
            closeQuietly(sys, s);
        }
    }

    /** A port, or with {@code -z} a range LOW-HIGH; null (reported) if invalid. */
    private static int[] ports(String spec, boolean range, PrintStream err) {
        String[] p = spec.split("-", -1);
        if (p.length > 2 || (p.length == 2 && !range)) {
            err.println("rump.nc: port range not valid" + (range ? "" : " without -z") + ": " + spec);
            return null;
        }
        int[] ends = new int[p.length];
        for (int i = 0; i < p.length; i++) {
            ends[i] = MoreObjects.firstNonNull(Ints.tryParse(p[i]), -1);
            if (ends[i] < 1 || ends[i] > 65535) {
                err.println("rump.nc: port number invalid: " + p[i]);
                return null;
            }
        }
        int lo = ends[0];
        int hi = ends[ends.length - 1];
        if (hi < lo) {
            err.println("rump.nc: port range not valid: " + spec);
            return null;
        }
        int[] all = new int[hi - lo + 1];
        for (int i = 0; i < all.length; i++) {
            all[i] = lo + i;
        }
        return all;
    }

    private static Integer host(String h, PrintStream err) {
        Integer a = Args.ipv4(h.equals("localhost") ? "127.0.0.1" : h);
        if (a == null) {
            err.println("rump.nc: " + h + ": not an IPv4 address (rump.nc does not resolve names)");
        }
        return a;
    }

    private static String proto(Options o) {
        return o.udp ? "udp" : "tcp";
    }

    /**
     * A connected socket, or -1 once the failure is printed as OpenBSD nc prints it. With {@code -w} the
     * connect is non-blocking and waits at most that long for the handshake (poll, then SO_ERROR).
     */
    private static int connect(Syscalls sys, Options o, int addr, int src, int lport, int port, PrintStream err)
            throws ErrnoException {
        int s = sys.socket(SocketDefs.AF_INET, o.udp ? SocketDefs.SOCK_DGRAM : SocketDefs.SOCK_STREAM, 0);
        try {
            if (src != 0 || lport != 0) {
                sys.setsockopt(s, SocketDefs.SOL_SOCKET, SocketDefs.SO_REUSEADDR, 1);
                sys.bind(s, SockAddr.in(src, lport));
            }
            SockAddr to = SockAddr.in(addr, port);
            if (o.timeoutMs > 0 && !o.udp) {
                int fl = sys.fcntl(s, Syscalls.F_GETFL, 0);
                sys.fcntl(s, Syscalls.F_SETFL, fl | KFile.O_NONBLOCK);
                try {
                    sys.connect(s, to);
                } catch (ErrnoException e) {
                    if (e.errno() != Errno.EINPROGRESS) {
                        throw e;
                    }
                    PollFd[] pf = {new PollFd(s, Poll.POLLOUT)};
                    if (sys.poll(pf, o.timeoutMs) == 0) {
                        throw new ErrnoException(Errno.ETIMEDOUT, "connect");
                    }
                    int soerr = sys.getsockopt(s, SocketDefs.SOL_SOCKET, SocketDefs.SO_ERROR);
                    if (soerr != 0) {
                        throw new ErrnoException(soerr, "connect");
                    }
                }
                sys.fcntl(s, Syscalls.F_SETFL, fl);
            } else {
                sys.connect(s, to);
            }
        } catch (ErrnoException e) {
            closeQuietly(sys, s);
            if (!o.scan || o.verbose) {
                err.println("rump.nc: connect to " + SockAddr.format(addr) + " port " + port + " (" + proto(o)
                        + ") failed: " + Errno.message(e.errno()));
            }
            return -1;
        }
        if (o.verbose) {
            err.println("Connection to " + SockAddr.format(addr) + " " + port + " port [" + proto(o) + "/*] succeeded!");
        }
        return s;
    }

    /** {@code -z}: connects to each port and closes at once; succeeds if any port answered. */
    private static int scan(Syscalls sys, Options o, int addr, int src, int lport, int[] ports, PrintStream err)
            throws ErrnoException {
        boolean any = false;
        for (int p : ports) {
            int s = connect(sys, o, addr, src, lport, p, err);
            if (s >= 0) {
                any = true;
                closeQuietly(sys, s);
            }
        }
        return any ? 0 : 1;
    }

    private int listenTcp(Syscalls sys, Options o, int addr, int port, PrintStream out, PrintStream err)
            throws ErrnoException {
        int l = sys.socket(SocketDefs.AF_INET, SocketDefs.SOCK_STREAM, 0);
        try {
            sys.setsockopt(l, SocketDefs.SOL_SOCKET, SocketDefs.SO_REUSEADDR, 1);
            try {
                sys.bind(l, SockAddr.in(addr, port));
            } catch (ErrnoException e) {
                err.println("rump.nc: bind to " + SockAddr.format(addr) + " port " + port + " (tcp) failed: "
                        + Errno.message(e.errno()));
                return 1;
            }
            sys.listen(l, o.keep ? 16 : 1);
            if (o.verbose) {
                err.println("Listening on " + SockAddr.format(addr) + " " + port);
            }
            int status;
            do {
                SockAddr from = new SockAddr();
                int c = sys.accept(l, from);
                if (o.verbose) {
                    err.println("Connection received on " + SockAddr.format(from.addr) + " " + from.port);
                }
                try {
                    status = relay(sys, c, o, true, out, err);
                } finally {
                    closeQuietly(sys, c);
                }
            } while (o.keep);
            return status;
        } finally {
            closeQuietly(sys, l);
        }
    }

    private int listenUdp(Syscalls sys, Options o, int addr, int port, PrintStream out, PrintStream err)
            throws ErrnoException {
        int s = sys.socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
        try {
            sys.setsockopt(s, SocketDefs.SOL_SOCKET, SocketDefs.SO_REUSEADDR, 1);
            try {
                sys.bind(s, SockAddr.in(addr, port));
            } catch (ErrnoException e) {
                err.println("rump.nc: bind to " + SockAddr.format(addr) + " port " + port + " (udp) failed: "
                        + Errno.message(e.errno()));
                return 1;
            }
            if (o.verbose) {
                err.println("Bound on " + SockAddr.format(addr) + " " + port);
            }
            ByteBuffer first = ByteBuffer.allocate(65536);
            SockAddr from = new SockAddr();
            int n = sys.recvfrom(s, first, 0, from);
            out.write(first.array(), 0, n);
            out.flush();
            sys.connect(s, from);
            if (o.verbose) {
                err.println("Connection received on " + SockAddr.format(from.addr) + " " + from.port);
            }
            return relay(sys, s, o, true, out, err);
        } finally {
            closeQuietly(sys, s);
        }
    }

    /**
     * Moves data both ways until the connection is done: a thread copies standard input to the socket
     * while this one copies the socket to standard output. Returns the exit status.
     */
    private int relay(Syscalls sys, int fd, Options o, boolean listener, PrintStream out, PrintStream err)
            throws ErrnoException {
        int[] status = {0};
        AtomicLong sent = new AtomicLong();
        boolean[] done = {false};
        Thread sender = new Thread(() -> {
            byte[] b = new byte[o.udp ? 1472 : 65536];
            try {
                int n;
                while ((n = in.read(b)) > 0) {
                    ByteBuffer bb = ByteBuffer.wrap(b, 0, n);
                    while (bb.hasRemaining()) {
                        sent.addAndGet(sys.sendto(fd, bb, 0, null));
                    }
                }
                if (o.shutdownAtEof && !o.udp) {
                    sys.shutdown(fd, SocketDefs.SHUT_WR);
                }
            } catch (IOException e) {
                err.println("rump.nc: stdin: " + e.getMessage());
            } catch (ErrnoException e) {
                synchronized (done) {
                    if (!done[0] && e.errno() != Errno.EPIPE && e.errno() != Errno.ECONNRESET) {
                        err.println("rump.nc: write: " + Errno.message(e.errno()));
                        status[0] = 1;
                    }
                }
            }
        }, "nc-stdin");
        sender.setDaemon(true);
        if (!o.noStdin) {
            sender.start();
        }
        ByteBuffer buf = ByteBuffer.allocate(65536);
        // UDP has no end of stream: without -w, stop once input has ended and replies have stopped coming.
        boolean untilInputEnds = o.udp && o.timeoutMs == 0;
        int pollMs = untilInputEnds ? 250 : o.timeoutMs;
        if (pollMs > 0) {
            sys.setsockopt(fd, SocketDefs.SOL_SOCKET, SocketDefs.SO_RCVTIMEO, pollMs);
        }
        long sentBefore = 0;
        while (true) {
            buf.clear();
            int n;
            try {
                n = sys.recvfrom(fd, buf, 0, null);
            } catch (ErrnoException e) {
                if (e.errno() == Errno.EAGAIN) {
                    long s = sent.get();
                    boolean progress = s != sentBefore;
                    sentBefore = s;
                    if (untilInputEnds ? sender.isAlive() : progress) {
                        continue;
                    }
                    break;
                }
                if (e.errno() == Errno.ECONNRESET) {
                    err.println("rump.nc: read: " + Errno.message(e.errno()));
                    status[0] = 1;
                    break;
                }
                throw e;
            }
            if (n == 0 && !o.udp) {
                // The peer has closed its side: a listener is done; a client still sends its input.
                if (!listener && sender.isAlive()) {
                    try {
                        sender.join(o.timeoutMs);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                break;
            }
            out.write(buf.array(), 0, n);
            out.flush();
        }
        synchronized (done) {
            done[0] = true;
        }
        if (o.udp) {
            try {
                sender.join(o.timeoutMs > 0 ? o.timeoutMs : 1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return status[0];
    }

    private static void closeQuietly(Syscalls sys, int fd) {
        try {
            sys.close(fd);
        } catch (ErrnoException e) {
            // already gone with its connection
        }
    }
}
