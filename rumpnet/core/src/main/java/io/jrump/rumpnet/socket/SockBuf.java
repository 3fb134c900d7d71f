package io.jrump.rumpnet.socket;

import io.jrump.hypercall.Errno;
import io.jrump.kern.sync.KCondVar;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufChain;
import io.jrump.rumpnet.mbuf.MbufCopy;
import io.jrump.rumpnet.mbuf.MbufFlags;
import io.jrump.rumpnet.mbuf.MbufPool;
import io.jrump.rumpnet.mbuf.MbufType;

/**
 * One direction of a socket's buffering ({@code struct sockbuf}, NetBSD {@code uipc_socket2.c}): the
 * queued data, its limits, and the sleep of whoever waits for data or space.
 *
 * <h2>Shape</h2>
 * Data is a list of records linked through the first mbuf's {@link Mbuf#nextPkt()}; the mbufs of one
 * record are linked through {@link Mbuf#next()}. A stream buffer holds one record that grows at its
 * tail. A datagram buffer holds one record per datagram; on a {@link Protosw#PR_ADDR} socket each
 * record starts with an {@link MbufType#SONAME} mbuf holding the sender's address, as BSD's
 * {@code sbappendaddr} builds it, so a queued datagram costs no object beyond its mbufs.
 *
 * <h2>Accounting</h2>
 * {@link #cc()} counts data bytes (addresses excluded) against the high-water mark {@link #hiwat()};
 * {@link #mbcnt()} counts the storage behind them (an mbuf's {@link Mbuf#MLEN} plus its cluster) against
 * {@link #mbmax()}, twice the high-water mark, so that a buffer full of tiny datagrams cannot hold
 * unbounded memory. {@link #space()} is the smaller margin, as {@code sbspace} is.
 *
 * <p>Everything here is done with the socket's {@link Socket#lock()} held.
 */
public final class SockBuf {
    /** What an address record costs in {@link #space()}: a {@code sockaddr_in}. */
    static final int SOCKADDR_LEN = 16;
    private static final int NAME_BYTES = 12;

    private final Socket so;
    private final boolean receive;
    private final KCondVar cv;
    private int hiwat;
    private int mbmax;
    private int lowat;
    private int cc;
    private int mbcnt;
    /** Queued mbufs flagged {@link MbufFlags#M_PREBUILT}. */
    private int prebuilt;
    private int timeoMs;
    private Mbuf mb;
    private Mbuf lastRecord;
    private Mbuf tail;
    private boolean busy;
    private boolean released;
    private boolean autosize;
    private long drops;
    /** The adapter whose buffers this (send) buffer may fill now, null for kernel buffers only. */
    private AdapterMemory adapter;
    /** The adapter whose buffers queued mbufs may be in: {@link #adapter}, or the last one until relocated. */
    private AdapterMemory home;
    /** The data bytes this buffer may queue while it uses adapter buffers (the adapter quota). */
    private int ahiwat;
    /** Storage bytes queued in adapter buffers, counted apart from {@link #mbcnt}. */
    private int abytes;

    SockBuf(Socket so, boolean receive) {
        this.so = so;
        this.receive = receive;
        this.cv = so.kernel().newCondVar();
    }

    /** High-water mark: the data bytes the buffer admits ({@code sb_hiwat}). */
    public int hiwat() {
        return hiwat;
    }

    /** Low-water mark ({@code sb_lowat}): a reader wakes for this many bytes, a writer for this much space. */
    public int lowat() {
        return lowat;
    }

    /** Limit on {@link #mbcnt()} ({@code sb_mbmax}). */
    public int mbmax() {
        return mbmax;
    }

    /** Data bytes queued ({@code sb_cc}). */
    public int cc() {
        return cc;
    }

    /** Storage bytes held by the queued mbufs ({@code sb_mbcnt}). */
    public int mbcnt() {
        return mbcnt;
    }

    /** {@code SO_RCVTIMEO}/{@code SO_SNDTIMEO} in milliseconds, 0 for none. */
    public int timeoutMs() {
        return timeoMs;
    }

    /** Records refused for lack of space ({@code appendAddr} returning false, appends after close). */
    public long drops() {
        return drops;
    }

    /** The first record, null when empty; a stream buffer's whole chain ({@code sb_mb}). */
    public Mbuf first() {
        return mb;
    }

    /** Bytes that may still be appended ({@code sbspace}), never negative. */
    public int space() {
        if (adapter != null) {
            return Math.max(0, Math.min(Math.max(hiwat, ahiwat) - cc, mbmax - mbcnt));
        }
        return Math.max(0, Math.min(hiwat - cc, mbmax - mbcnt));
    }

    /**
     * Sets the high-water mark ({@code sbreserve}): {@code 0 < bytes <= kern.sbmax}, else false and
     * nothing changes. A low-water mark above it comes down to it.
     */
    public boolean reserve(int bytes) {
        if (bytes <= 0 || bytes > so.sockets().sbmax()) {
            return false;
        }
        hiwat = bytes;
        mbmax = (int) Math.min(Integer.MAX_VALUE, 2L * bytes);
        if (lowat > hiwat) {
            lowat = hiwat;
        }
        return true;
    }

    /**
     * Whether the protocol may grow this buffer to what the connection needs ({@code SB_AUTOSIZE}): set by a
     * protocol that sizes buffers itself, cleared when the user sets {@code SO_SNDBUF}/{@code SO_RCVBUF}, so
     * that a size the user chose is kept.
     */
    public boolean autosize() {
        return autosize;
    }

    public void setAutosize(boolean on) {
        autosize = on;
    }

    /**
     * Raises the high-water mark to {@code bytes} for automatic sizing. Unlike {@link #reserve} it is not
     * bounded by {@code kern.sbmax}, which limits what a user may ask for; the protocol's own maximum bounds
     * it, as Linux bounds TCP autotuning by {@code tcp_rmem[2]} rather than {@code rmem_max}.
     */
    public void grow(int bytes) {
        if (bytes > hiwat) {
            hiwat = bytes;
            mbmax = (int) Math.min(Integer.MAX_VALUE, 2L * bytes);
        }
    }

    /** Sets the low-water mark, at least 1 and at most {@link #hiwat()}. */
    public void setLowat(int bytes) {
        lowat = Math.max(1, Math.min(bytes, hiwat));
    }

    void setTimeoutMs(int ms) {
        timeoMs = ms;
    }

    private static int storage(Mbuf m) {
        return Mbuf.MLEN + (m.isExt() ? m.capacity() : 0);
    }

    private boolean inAdapter(Mbuf m) {
        return home != null && home.holds(m);
    }

    private void alloc(Mbuf m) {
        if (m.type() != MbufType.SONAME) {
            cc += m.len();
        }
        if (inAdapter(m)) {
            mbcnt += Mbuf.MLEN;
            abytes += m.capacity();
        } else {
            mbcnt += storage(m);
        }
        if ((m.flags() & MbufFlags.M_PREBUILT) != 0) {
            prebuilt++;
        }
    }

    private void unalloc(Mbuf m) {
        if (m.type() != MbufType.SONAME) {
            cc -= m.len();
        }
        if (inAdapter(m)) {
            mbcnt -= Mbuf.MLEN;
            abytes -= m.capacity();
        } else {
            mbcnt -= storage(m);
        }
        if ((m.flags() & MbufFlags.M_PREBUILT) != 0) {
            prebuilt--;
        }
    }

    /**
     * How many prebuilt frames ({@link MbufFlags#M_PREBUILT}) are queued: TCP output looks for frame
     * boundaries only while this is not zero, so that a connection that never queued one pays a single
     * test per segment.
     */
    public int prebuiltFrames() {
        return prebuilt;
    }

    private boolean dead(Mbuf m) {
        if (!released) {
            return false;
        }
        drops++;
        if (m != null) {
            so.mbufs().freeChain(m);
        }
        return true;
    }

    /**
     * Appends stream data to the single record ({@code sbappendstream}), taking ownership of {@code m}.
     * Small mbufs are copied into the trailing space of the last one and freed ({@code sbcompress}), so a
     * connection receiving many small segments does not hold an mbuf per segment; never one whose
     * external storage has a free hook ({@link Mbuf#hasExtFree()}), whose owner must hear of its bytes
     * only once they left the buffer, and never into one (caller-owned storage has no writable
     * trailing space). Admission against
     * {@link #space()} is the protocol's business (TCP's window); after the socket is freed the data
     * is dropped.
     */
    public void appendStream(Mbuf m) {
        if (m == null || dead(m)) {
            return;
        }
        if (mb != null && mb.nextPkt() != null) {
            throw new IllegalStateException("appendStream on a buffer of records");
        }
        compress(m);
    }

    private void compress(Mbuf m) {
        MbufPool pool = so.mbufs();
        while (m != null) {
            Mbuf next = m.next();
            if (m.len() == 0) {
                pool.free(m);
                m = next;
                continue;
            }
            if (tail != null && m.len() < Mbuf.MLEN && m.len() <= tail.trailingSpace()
                    && m.type() == tail.type() && !m.hasExtFree()) {
                System.arraycopy(m.buf(), m.off(), tail.buf(), tail.off() + tail.len(), m.len());
                tail.setLen(tail.len() + m.len());
                cc += m.len();
                pool.free(m);
                m = next;
                continue;
            }
            m.setNext(null);
            m.setNextPkt(null);
            if (home == null && m.extFree() instanceof AdapterMemory am) {
                // written to adapter buffers while the socket lock was let go, and detached meanwhile:
                // counted as the adapter's, and moved by the next relocate()
                home = am;
            }
            if (tail == null) {
                mb = m;
                lastRecord = m;
            } else {
                tail.setNext(m);
            }
            tail = m;
            alloc(m);
            m = next;
        }
    }

    /**
     * Appends a datagram as a record of its own with the sender's address in front
     * ({@code sbappendaddr}). Returns false, leaving {@code m} to the caller to free and count, if the
     * datagram and its address do not fit in {@link #space()} or no mbuf is left for the address.
     * {@code m} may be null for an empty datagram.
     */
    public boolean appendAddr(SockAddr from, Mbuf m) {
        if (released) {
            drops++;
            return false;
        }
        int len = m == null ? 0 : MbufChain.length(m);
        if (len + SOCKADDR_LEN > space()) {
            drops++;
            return false;
        }
        Mbuf nam = so.mbufs().get(MbufType.SONAME);
        if (nam == null) {
            drops++;
            return false;
        }
        writeAddr(nam, from);
        nam.setNext(m);
        linkRecord(nam);
        return true;
    }

    /**
     * Appends a datagram without an address as a record of its own ({@code sbappendrecord}); false, with
     * {@code m} left to the caller, if it does not fit.
     */
    public boolean appendRecord(Mbuf m) {
        java.util.Objects.requireNonNull(m, "a record needs an mbuf");
        if (released) {
            drops++;
            return false;
        }
        if (MbufChain.length(m) > space()) {
            drops++;
            return false;
        }
        linkRecord(m);
        return true;
    }

    private void linkRecord(Mbuf rec) {
        rec.setNextPkt(null);
        if (lastRecord == null) {
            mb = rec;
        } else {
            lastRecord.setNextPkt(rec);
        }
        lastRecord = rec;
        for (Mbuf m = rec; m != null; m = m.next()) {
            alloc(m);
            tail = m;
        }
    }

    /**
     * Removes {@code len} data bytes from the front ({@code sbdrop}), across records, freeing emptied
     * mbufs and records: TCP drops acknowledged data from its send buffer this way.
     */
    public void drop(int len) {
        if (len < 0 || len > cc) {
            throw new IllegalArgumentException("sbdrop " + len + " of " + cc);
        }
        while (len > 0) {
            Mbuf m = mb;
            if (m.type() != MbufType.SONAME && m.len() > len) {
                trimHead(len);
                return;
            }
            if (m.type() != MbufType.SONAME) {
                len -= m.len();
            }
            freeHead();
        }
        while (mb != null && mb.len() == 0 && mb.type() != MbufType.SONAME && mb.next() != null) {
            freeHead();
        }
    }

    /**
     * Unlinks up to {@code n} bytes from the front of a stream buffer and returns them as a chain
     * (whole mbufs moved, the last one shared or copied by {@link MbufCopy#copym} if it is cut), null if
     * the buffer is empty; fewer bytes if the pool ran out of mbufs for the cut. A kernel consumer takes
     * received data this way without copying it ({@link Socket#receiveLocked}).
     */
    Mbuf takeStream(int n) {
        if (mb != null && mb.nextPkt() != null) {
            throw new IllegalStateException("takeStream on a buffer of records");
        }
        n = Math.min(n, cc);
        Mbuf head = null;
        Mbuf last = null;
        while (n > 0 && mb != null) {
            Mbuf m = mb;
            Mbuf piece;
            if (m.len() <= n) {
                Mbuf next = m.next();
                unalloc(m);
                m.setNext(null);
                mb = next;
                lastRecord = next;
                if (next == null) {
                    tail = null;
                }
                piece = m;
            } else {
                piece = MbufCopy.copym(m, 0, n);
                if (piece == null) {
                    break;
                }
                trimHead(n);
            }
            n -= piece.len();
            if (head == null) {
                head = piece;
            } else {
                last.setNext(piece);
            }
            last = piece;
        }
        return head;
    }

    /** Frees the first record ({@code sbdroprecord}). */
    public void dropRecord() {
        Mbuf rec = mb;
        if (rec == null) {
            return;
        }
        Mbuf nextRec = rec.nextPkt();
        rec.setNextPkt(null);
        for (Mbuf m = rec; m != null; m = m.next()) {
            unalloc(m);
        }
        so.mbufs().freeChain(rec);
        mb = nextRec;
        if (mb == null) {
            lastRecord = null;
            tail = null;
        }
    }

    // ---- adapter memory (DART seed 002)

    /** The adapter whose buffers new data may go to, null for kernel buffers. */
    public AdapterMemory adapter() {
        return adapter;
    }

    /** Adapter buffer storage queued here. */
    public int adapterBytes() {
        return abytes;
    }

    /** The adapter quota: what this buffer may queue while it uses adapter buffers. */
    public int adapterHiwat() {
        return ahiwat;
    }

    /**
     * Lets new data go to {@code am}'s buffers, up to {@code quota} data bytes queued ({@code null} detaches,
     * which relocates what is queued there first). A buffer still holding data of another adapter relocates
     * it before it takes the new one.
     */
    public void setAdapter(AdapterMemory am, int quota) {
        if (am == adapter) {
            ahiwat = quota;
            return;
        }
        if (home != null && home != am) {
            adapter = null;
            relocate();
        }
        adapter = am;
        ahiwat = am == null ? 0 : quota;
        if (am != null) {
            home = am;
        }
    }

    /**
     * Moves the queued data that sits in adapter buffers into kernel buffers, in place: the chain keeps its
     * order and its bytes, so TCP, which reads the send buffer by offset, never notices (DART seed, "Data
     * Relocation"). New data goes to kernel buffers from then on. An adapter buffer that a segment in flight
     * still refers to returns to the adapter when that segment is freed. Returns the bytes moved; if the
     * kernel's mbufs run out, what is left stays where it is, still in order, and a later call moves it.
     */
    public int relocate() {
        adapter = null;
        ahiwat = 0;
        if (home == null || abytes == 0) {
            return 0;
        }
        MbufPool pool = so.mbufs();
        int moved = 0;
        Mbuf prev = null;
        for (Mbuf m = mb; m != null; ) {
            Mbuf next = m.next();
            if (!inAdapter(m)) {
                prev = m;
                m = next;
                continue;
            }
            Mbuf k = pool.getJumbo(m.type());
            if (k == null) {
                break;
            }
            System.arraycopy(m.buf(), m.off(), k.buf(), k.off(), m.len());
            k.setLen(m.len());
            k.setNext(next);
            if (prev == null) {
                k.setNextPkt(m.nextPkt());
                mb = k;
                lastRecord = k;
            } else {
                prev.setNext(k);
            }
            if (tail == m) {
                tail = k;
            }
            unalloc(m);
            alloc(k);
            moved += m.len();
            m.setNext(null);
            m.setNextPkt(null);
            pool.free(m);
            prev = k;
            m = next;
        }
        if (abytes == 0) {
            home.relocated(moved);
            home = null;
        } else if (moved > 0) {
            home.relocated(moved);
        }
        return moved;
    }

    /** Frees everything queued ({@code sbflush}). */
    public void flush() {
        while (mb != null) {
            dropRecord();
        }
        if (cc != 0 || mbcnt != 0) {
            throw new IllegalStateException("sbflush: cc " + cc + " mbcnt " + mbcnt + " left");
        }
    }

    /** Flushes and refuses further data: the socket is being freed ({@code sbrelease}). */
    void release() {
        flush();
        released = true;
    }

    /** Trims {@code n} bytes off the first mbuf, which must hold more than that. */
    void trimHead(int n) {
        MbufChain.adj(mb, n);
        cc -= n;
    }

    /**
     * Frees the first mbuf of the first record; the next mbuf of the record, if any, becomes the record's
     * head. Returns true if that ended the record.
     */
    boolean freeHead() {
        Mbuf m = mb;
        Mbuf next = m.next();
        Mbuf nextRec = m.nextPkt();
        unalloc(m);
        m.setNextPkt(null);
        m.setNext(null);
        so.mbufs().free(m);
        if (next != null) {
            next.setNextPkt(nextRec);
            mb = next;
            if (lastRecord == m) {
                lastRecord = next;
            }
            return false;
        }
        mb = nextRec;
        if (mb == null) {
            lastRecord = null;
            tail = null;
        }
        return true;
    }

    /** Data bytes of the first record (a datagram's length), 0 when empty. */
    int firstRecordLength() {
        int n = 0;
        for (Mbuf m = mb; m != null; m = m.next()) {
            if (m.type() != MbufType.SONAME) {
                n += m.len();
            }
        }
        return n;
    }

    static void writeAddr(Mbuf nam, SockAddr a) {
        byte[] b = nam.buf();
        int o = nam.off();
        putInt(b, o, a.family);
        putInt(b, o + 4, a.addr);
        putInt(b, o + 8, a.port);
        nam.setLen(NAME_BYTES);
    }

    static void readAddr(Mbuf nam, SockAddr out) {
        byte[] b = nam.buf();
        int o = nam.off();
        out.set(getInt(b, o), getInt(b, o + 4), getInt(b, o + 8));
    }

    private static void putInt(byte[] b, int o, int v) {
        b[o] = (byte) (v >>> 24);
        b[o + 1] = (byte) (v >>> 16);
        b[o + 2] = (byte) (v >>> 8);
        b[o + 3] = (byte) v;
    }

    private static int getInt(byte[] b, int o) {
        return (b[o] & 0xff) << 24 | (b[o + 1] & 0xff) << 16 | (b[o + 2] & 0xff) << 8 | (b[o + 3] & 0xff);
    }

    /**
     * Sleeps until a wakeup of this buffer ({@code sbwait}), releasing the socket lock and the CPU:
     * 0 when woken (the caller rechecks), EWOULDBLOCK at {@code deadlineNanos}, EINTR if the lwp was killed.
     * Public for {@link Protosw#rcvwait}, which protocols may override and still sleep here.
     */
    public int await(long deadlineNanos) {
        return cv.awaitSigUntil(so.lock(), deadlineNanos);
    }

    /**
     * Takes the buffer for one reader or writer ({@code sblock}), so that two threads' writes do not
     * interleave in a stream and two reads do not split a record: 0, or EWOULDBLOCK if {@code wait} is
     * false and another holds it, or EINTR.
     */
    int lock(boolean wait) {
        while (busy) {
            if (!wait) {
                return Errno.EWOULDBLOCK;
            }
            int r = cv.awaitSig(so.lock());
            if (r != 0) {
                return r;
            }
        }
        busy = true;
        return 0;
    }

    /** {@code sbunlock}. */
    void unlock() {
        busy = false;
        cv.broadcast();
    }

    /**
     * {@code sowakeup}: wakes this buffer's sleepers, the socket's pollers and its upcall, as
     * {@link Socket#sorwakeup()} or {@link Socket#sowwakeup()} does for this direction; lock held.
     */
    public void sowakeup() {
        if (receive) {
            so.sorwakeup();
        } else {
            so.sowwakeup();
        }
    }

    /** Wakes sleepers on this buffer; {@link Socket} adds the poll and upcall notices. */
    void wakeSleepers() {
        cv.broadcast();
    }

    @Override
    public String toString() {
        return (receive ? "rcv" : "snd") + " cc " + cc + "/" + hiwat + " mbcnt " + mbcnt + "/" + mbmax;
    }
}
