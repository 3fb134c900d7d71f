package io.jrump.rumpclient;

import static io.jrump.kern.syscall.sp.Protocol.*;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.syscall.sp.ArgCodecs;
import io.jrump.kern.syscall.sp.FrameReader;
import io.jrump.kern.syscall.sp.ProtocolException;
import io.jrump.kern.syscall.sp.ReplyFrame;
import io.jrump.hypercall.sp.SpUrl;
import io.jrump.kern.syscall.sp.WireReader;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * The client's end of one connection: it numbers requests, writes them, and routes replies, which may
 * come in any order, to the threads waiting for them.
 *
 * <p>There is no reader thread. A caller that finds nobody reading reads replies itself until its own
 * arrives, handing every other reply to its waiting owner, then passes the reading on; a single-threaded
 * program therefore reads its own reply with no thread switch, and many threads can still block in the
 * kernel at once. The JDK's socket channels are used for both transports, directly: the client library
 * is not kernel code but runs in the program's own process, which has no kernel and so no hypercall
 * layer, as NetBSD's {@code librumpclient} calls the host's {@code socket(2)}; and it needs no peer
 * credentials, which is all jnr-unixsocket is for. As with any JDK channel, interrupting a thread that
 * waits for a reply closes the connection.
 */
final class ClientConnection {
    /** Requests one connection may have outstanding; a power of two, as request numbers encode the slot. */
    static final int MAX_OUTSTANDING = 64;
    private final SpUrl url;
    private final SocketChannel ch;
    private final FrameReader frames;
    private final ArgCodecs codecs;
    private final Object lock = new Object();
    private final Object writeLock = new Object();
    private final ClientCall[] slots = new ClientCall[MAX_OUTSTANDING];
    private int used;
    private int seq;
    private boolean reading;
    private String dead;

    private ClientConnection(SpUrl url, SocketChannel ch, ArgCodecs codecs) {
        this.url = url;
        this.ch = ch;
        this.codecs = codecs;
        this.frames = new FrameReader(ch, MAX_REPLY, 4096);
    }

    /** Connects and checks the banner; every failure says which server and why. */
    static ClientConnection open(SpUrl url, ArgCodecs codecs) throws IOException {
        SocketChannel ch;
        try {
            if (url.unix()) {
                ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                ch.connect(UnixDomainSocketAddress.of(url.path()));
            } else {
                ch = SocketChannel.open(new InetSocketAddress(url.host(), url.port()));
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
        } catch (IOException | RuntimeException e) {
            throw new IOException("cannot connect to rump server " + url + ": " + reason(e)
                    + " (is rump_server running there?)", e);
        }
        try {
            checkBanner(url, ch);
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        return new ClientConnection(url, ch, codecs);
    }

    private static String reason(Exception e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static void checkBanner(SpUrl url, SocketChannel ch) throws IOException {
        ByteBuffer one = ByteBuffer.allocate(1);
        StringBuilder sb = new StringBuilder();
        while (sb.length() < MAX_BANNER) {
            one.clear();
            if (ch.read(one) < 0) {
                throw new IOException("rump server " + url + " closed the connection before its banner"
                        + (sb.length() > 0 ? " (got '" + sb + "')" : ""));
            }
            char c = (char) (one.get(0) & 0xff);
            if (c == '\n') {
                break;
            }
            sb.append(c);
        }
        String banner = sb.toString();
        if (!banner.startsWith(BANNER_PREFIX)) {
            throw new IOException(url + " is not a jrump rump server: it greeted with '"
                    + printable(banner) + "', not " + BANNER_PREFIX + "<version>");
        }
        String v = banner.substring(BANNER_PREFIX.length());
        if (!v.equals(Integer.toString(VERSION))) {
            throw new IOException("rump server " + url + " speaks sysproxy protocol version " + printable(v)
                    + ", this client speaks version " + VERSION + "; use a client and server of the same release");
        }
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return b.length() > 40 ? b.substring(0, 40) + "..." : b.toString();
    }

    SpUrl url() {
        return url;
    }

    ArgCodecs codecs() {
        return codecs;
    }

    /**
     * Sends {@code c} and waits for its reply; returns the call's value or throws its errno. A lost
     * connection is ENOTCONN with the reason, for this and every later call.
     */
    long call(ClientCall c) throws ErrnoException {
        acquire(c);
        try {
            try {
                c.encode(c.reqno, codecs);
            } catch (ProtocolException e) {
                throw new ErrnoException(e.errno(), e.getMessage());
            }
            ByteBuffer frame = c.out.finish();
            try {
                synchronized (writeLock) {
                    while (frame.hasRemaining()) {
                        ch.write(frame);
                    }
                }
            } catch (IOException e) {
                fail("connection lost: " + reason(e));
            }
            await(c);
        } finally {
            release(c);
            c.forgetArguments();
        }
        if (c.failed) {
            throw new ErrnoException(c.errno, c.detail);
        }
        return c.ret;
    }

    private void acquire(ClientCall c) throws ErrnoException {
        boolean interrupted = false;
        synchronized (lock) {
            while (dead == null && used == MAX_OUTSTANDING) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (dead != null) {
                throw new ErrnoException(Errno.ENOTCONN, dead);
            }
            int k = seq & (MAX_OUTSTANDING - 1);
            while (slots[k] != null) {
                k = (k + 1) & (MAX_OUTSTANDING - 1);
            }
            seq++;
            slots[k] = c;
            used++;
            c.reqno = (seq * MAX_OUTSTANDING | k) & 0x7fffffff;
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void release(ClientCall c) {
        synchronized (lock) {
            int k = c.reqno & (MAX_OUTSTANDING - 1);
            if (slots[k] == c) {
                slots[k] = null;
                used--;
                lock.notifyAll();
            }
        }
    }

    private void await(ClientCall c) {
        boolean interrupted = false;
        try {
            for (;;) {
                synchronized (lock) {
                    while (!c.done && reading) {
                        try {
                            lock.wait();
                        } catch (InterruptedException e) {
                            interrupted = true;
                        }
                    }
                    if (c.done) {
                        return;
                    }
                    reading = true;
                }
                try {
                    while (!c.done) {
                        readOne(c);
                    }
                } catch (ProtocolException e) {
                    fail("protocol error from the server: " + e.getMessage());
                } catch (EOFException e) {
                    fail("the rump server closed the connection");
                } catch (IOException e) {
                    fail("connection lost: " + reason(e));
                } finally {
                    synchronized (lock) {
                        reading = false;
                        lock.notifyAll();
                    }
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void readOne(ClientCall self) throws IOException {
        WireReader r = frames.next();
        if (r == null) {
            throw new EOFException();
        }
        int type = r.u8("frame type");
        int reqno = r.i32("request number");
        if (type != T_REPLY) {
            throw new ProtocolException("a server may not send frame type " + type);
        }
        ClientCall target;
        synchronized (lock) {
            target = slots[reqno & (MAX_OUTSTANDING - 1)];
        }
        if (target == null || target.reqno != reqno || target.done) {
            throw new ProtocolException("reply to request " + reqno + ", which is not outstanding");
        }
        ReplyFrame.read(r, target, codecs);
        if (target == self) {
            self.done = true;
        } else {
            synchronized (lock) {
                target.done = true;
                lock.notifyAll();
            }
        }
    }

    /** Marks the connection unusable and fails every outstanding call with ENOTCONN. */
    void fail(String why) {
        synchronized (lock) {
            if (dead == null) {
                dead = "rump server " + url + ": " + why;
            }
            for (ClientCall c : slots) {
                if (c != null && !c.done) {
                    c.lost(Errno.ENOTCONN, dead);
                    c.done = true;
                }
            }
            lock.notifyAll();
        }
        try {
            ch.close();
        } catch (IOException ignored) {
            // the connection is gone either way
        }
    }

    boolean isOpen() {
        synchronized (lock) {
            return dead == null;
        }
    }

    void close() {
        fail("the connection was closed by the client");
    }
}
