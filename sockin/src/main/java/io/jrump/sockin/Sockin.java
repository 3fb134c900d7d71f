package io.jrump.sockin;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufPool;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One kernel's sockin (NetBSD's {@code sys/rump/net/lib/libsockin/sockin.c}): the inet domain whose
 * sockets are host sockets. It owns the host layer ({@link SockinUser}), the two protocol switches,
 * and the receiver thread ({@link SockinReceiver}) that waits for every host socket at once and
 * moves what arrives into the rump sockets' buffers. Registered as a kernel service by
 * {@link SockinComponent}.
 *
 * <p>Data moves through the rump socket layer unchanged: a write becomes an mbuf chain that
 * {@link SockinStream#send} hands to the host; bytes from the host become mbufs appended to the rump
 * socket's receive buffer, followed by {@code sorwakeup}, which wakes readers and pollers and fires
 * the socket's upcall exactly as TCP input would.
 */
public final class Sockin {
    /** Default stream buffers: room for a host write of {@link #CHUNK} and as much again in flight. */
    static final int STREAM_SPACE = 64 * 1024;
    /** Default datagram buffers, as {@code net.inet.udp.sendspace}/{@code recvspace} in NetBSD. */
    static final int DGRAM_SENDSPACE = 9216;
    static final int DGRAM_RECVSPACE = 41600;
    /** The most one host read or write moves; also the segment size handed to the stream protocol. */
    static final int CHUNK = 64 * 1024;

    final Kernel kernel;
    final MbufPool mbufs;
    final SockinUser user;
    final SockinStream stream;
    final SockinDgram dgram;
    final SockinDomain domain;
    /** Each sending thread's direct buffer: a chain is gathered into it for one host write. */
    private final ThreadLocal<ByteBuffer> staging = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(CHUNK));
    /** The receiver thread's buffer for host reads. */
    final ByteBuffer rx = ByteBuffer.allocateDirect(CHUNK);
    /** Buffers for bulk host reads, appended without a copy into clusters. */
    final SockinRxBuffers rxBuffers;
    /** Streams holding bytes the mbuf pool had no room for; the receiver retries them. */
    final Set<SockinPcb> starved = ConcurrentHashMap.newKeySet();
    private final Set<SockinPcb> live = ConcurrentHashMap.newKeySet();
    private final AtomicLong datagramDrops = new AtomicLong();
    private final AtomicLong acceptDrops = new AtomicLong();
    private final AtomicLong receiverRounds = new AtomicLong();
    private final AtomicLong readerHostWaits = new AtomicLong();
    private final AtomicLong directReadBytes = new AtomicLong();
    private SockinReceiver receiver;

    Sockin(Kernel kernel, MbufPool mbufs) throws ErrnoException {
        this.kernel = kernel;
        this.mbufs = mbufs;
        this.user = new SockinUser();
        this.rxBuffers = new SockinRxBuffers(mbufs, kernel.kmem());
        this.stream = new SockinStream(this);
        this.dgram = new SockinDgram(this);
        this.domain = new SockinDomain(stream, dgram);
    }

    void start() {
        receiver = new SockinReceiver(this);
        receiver.start();
    }

    SockinReceiver receiver() {
        return receiver;
    }

    /**
     * Stops the receiver thread and closes every host socket still open (connections still sending
     * after their descriptor was closed, at halt), then the selector.
     */
    void stop() {
        if (receiver != null) {
            receiver.stop();
        }
        for (SockinPcb p : live) {
            p.so.lock().enter();
            try {
                if (p.host != null) {
                    user.close(p.host);
                    p.host = null;
                }
            } finally {
                p.so.lock().exit();
            }
        }
        live.clear();
        user.close();
        rxBuffers.close();
    }

    void track(SockinPcb p) {
        live.add(p);
    }

    void untrack(SockinPcb p) {
        live.remove(p);
        starved.remove(p);
    }

    /** Host sockets open, for tests and listings. */
    public int hostSockets() {
        return live.size();
    }

    /** Datagrams read from the host and dropped because the rump receive buffer was full. */
    public long datagramDrops() {
        return datagramDrops.get();
    }

    /** Connections the host accepted that were reset because the rump listen queue was full. */
    public long acceptDrops() {
        return acceptDrops.get();
    }

    /**
     * Times the receiver thread came back from waiting in the host (for any socket, or to be told of
     * an interest change): its share of the thread wakeups, which readers waiting on their own host
     * sockets avoid ({@link SockinReaderWait#rcvwait}).
     */
    public long receiverWakeups() {
        return receiverRounds.get();
    }

    /**
     * Bytes the host socket gave straight to a reader's memory ({@link SockinReaderWait#rcvdirect}), never
     * passing through a receive buffer.
     */
    public long directReadBytes() {
        return directReadBytes.get();
    }

    /** Times a reading lwp waited on its own host socket instead of on the receive buffer. */
    public long readerHostWaits() {
        return readerHostWaits.get();
    }

    void countReceiverRound() {
        receiverRounds.incrementAndGet();
    }

    void countDirectRead(int bytes) {
        directReadBytes.addAndGet(bytes);
    }

    void countReaderHostWait() {
        readerHostWaits.incrementAndGet();
    }

    void countDatagramDrop() {
        datagramDrops.incrementAndGet();
    }

    void countAcceptDrop() {
        acceptDrops.incrementAndGet();
    }

    /** The calling thread's staging buffer, cleared. */
    ByteBuffer staging() {
        ByteBuffer b = staging.get();
        b.clear();
        return b;
    }

    /**
     * Writes the bytes of chain {@code m}, from its start, to a host stream without waiting: the
     * number the host took, which is short when its send buffer is full.
     */
    int writeChain(SockinUser.Handle h, Mbuf m) throws ErrnoException {
        ByteBuffer b = staging.get();
        int total = 0;
        int off = 0;
        while (m != null) {
            b.clear();
            while (m != null && b.hasRemaining()) {
                int n = Math.min(m.len() - off, b.remaining());
                b.put(m.buf(), m.off() + off, n);
                off += n;
                if (off == m.len()) {
                    m = m.next();
                    off = 0;
                }
            }
            b.flip();
            int want = b.remaining();
            int n = user.write(h, b);
            total += n;
            if (n < want) {
                break;
            }
        }
        return total;
    }

    /** Gathers a datagram's chain into the calling thread's staging buffer, flipped for sending. */
    ByteBuffer gather(Mbuf m) {
        ByteBuffer b = staging();
        for (; m != null && b.hasRemaining(); m = m.next()) {
            b.put(m.buf(), m.off(), Math.min(m.len(), b.remaining()));
        }
        b.flip();
        return b;
    }

    /**
     * Copies the remaining bytes of {@code src} into a new mbuf chain (a small mbuf for a short read,
     * clusters otherwise), advancing its position. If the pool runs dry part way, the chain holds what
     * was copied and {@code src} keeps the rest; null if nothing could be copied.
     */
    Mbuf toMbufs(ByteBuffer src) {
        Mbuf top = null;
        Mbuf tail = null;
        while (src.hasRemaining()) {
            int left = src.remaining();
            Mbuf m = left <= Mbuf.MLEN ? mbufs.get() : mbufs.getCluster();
            if (m == null) {
                break;
            }
            int n = Math.min(left, m.trailingSpace());
            src.get(m.buf(), m.off(), n);
            m.setLen(n);
            if (top == null) {
                top = m;
            } else {
                tail.setNext(m);
            }
            tail = m;
        }
        return top;
    }
}
