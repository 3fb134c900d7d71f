package io.jrump.afpa.tdi;

import io.jrump.afpa.AfpaConn;
import io.jrump.afpa.AfpaStats;
import io.jrump.afpa.FrameChains;
import io.jrump.afpa.cache.AfpaCache;
import io.jrump.afpa.cache.CacheObject;
import io.jrump.afpa.cache.CacheResult;
import io.jrump.afpa.cache.PinArray;
import io.jrump.afpa.http.DocPath;
import io.jrump.afpa.http.ErrorPages;
import io.jrump.afpa.http.HttpRequest;
import io.jrump.afpa.http.HttpRequestParser;
import io.jrump.afpa.http.HttpStatus;
import io.jrump.afpa.http.ResponsePlan;
import io.jrump.kern.intr.Callout;
import io.jrump.netinet.tdi.TdiConnection;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufCopy;
import io.jrump.rumpnet.socket.Socket;
import java.util.ArrayDeque;

/**
 * Tdi mode's AFPA connection structure (the Windows 2000 seed): made by the connect event, it parses
 * what the receive events show and answers from the cache object's pin array. "When it sends a cache
 * object, AFPA sequentially traverses the object's pin array. If a chunk is currently pinned, its pin
 * count is incremented, and it is sent immediately in the context of a software interrupt. If the chunk
 * is not pinned, the request must be queued to a pool of worker threads [...] The send completion
 * routine decrements the pin count [...] for the current chunk and repeats the process for the next
 * chunk." Four chunks are kept outstanding so that the link does not idle while a completion travels.
 *
 * <p>Everything runs under the connection's lock: the events and completions hold it, the workers and
 * the idle callout take it. Request bytes are taken only once answered: by the receive event's return
 * value, or by {@link TdiConnection#take} when a worker answered a miss. Responses leave in request
 * order, one request at a time, as in hook mode.
 */
final class TdiConn extends AfpaConn {
    private static final int PEEK = 2048;
    private static final int WINDOW = 4;

    private final TdiFrontEnd fe;
    private final HttpRequestParser parser = new HttpRequestParser();
    private final ResponsePlan plan = new ResponsePlan();
    private final byte[] peek = new byte[PEEK];
    private byte[] hdr = new byte[1024];
    private TdiConnection c;
    private Socket so;
    private Callout idle;
    /** Bytes at the front already answered, to be taken when the current event returns. */
    private int answered;
    private int fed;
    private CacheObject sending;
    private int nextChunk;
    private int outstanding;
    /**
     * Chunks sent and not yet completed, of this response or one before, each holding a pin: the
     * connection stays in the front end's held set until they complete, so that an unload waits for them
     * and a halt, which gets no completions, unpins them ({@link #abandon}).
     */
    private final ArrayDeque<Chunk> unacked = new ArrayDeque<>(WINDOW);
    private int hdrLen;
    private boolean keepAlive;
    /** A worker is reading and pinning the next chunk of the response. */
    private boolean busy;
    private boolean inEvent;
    private boolean draining;
    private boolean peerDone;

    TdiConn(TdiFrontEnd fe) {
        super(fe.afpa(), fe);
        this.fe = fe;
    }

    /** A worker is busy for this connection: building a missed object or pinning a chunk. */
    private boolean working() {
        return busy || missPending;
    }

    /** The accept completed: the connection is ours. Lock held (inside the hold decision). */
    void start(TdiConnection conn) {
        this.c = conn;
        this.so = conn.socket();
        this.idle = so.kernel().callouts().create("afpa tdi idle", this::idleFired);
        armIdle();
    }

    int receiveEvent(int available) {
        if (done || c == null) {
            return 0;
        }
        inEvent = true;
        try {
            process(available);
        } finally {
            inEvent = false;
        }
        int t = answered;
        answered = 0;
        return t;
    }

    void disconnectEvent(boolean abortive) {
        if (done) {
            return;
        }
        if (abortive) {
            done = true;
            disarmIdle();
            if (sending != null && outstanding == 0 && !working()) {
                // no completion or worker is left to let go of the object
                sending.release();
                sending = null;
            }
            letGo();
            return;
        }
        peerDone = true;
        if (sending == null && !working()) {
            close();
        }
    }

    // ---- requests ----

    /** Parses what is buffered after the answered bytes; {@code available} is the buffer's byte count. */
    private void process(int available) {
        while (!done && sending == null && !working()) {
            if (draining) {
                pass(false);
                return;
            }
            int avail = available - answered - fed;
            if (avail <= 0) {
                if (peerDone || so.hasState(Socket.SS_CANTRCVMORE)) {
                    close();
                }
                return;
            }
            int n = Math.max(0, so.peekLocked(answered + fed, peek, 0, Math.min(avail, PEEK)));
            if (n == 0) {
                return;
            }
            HttpRequestParser.Result r = parser.feed(peek, 0, n);
            fed += parser.consumed();
            switch (r) {
                case NEED_MORE -> {
                    if (parser.inBody()) {
                        pass(true);
                        return;
                    }
                }
                case ERROR -> {
                    answerError(null, parser.errorStatus());
                    return;
                }
                case COMPLETE -> dispatch(parser.request(), cacheKey(parser.request()));
            }
        }
    }

    /** The cache key of {@code req}'s path: a directory's index file for a path ending in {@code /}. */
    private static String cacheKey(HttpRequest req) {
        String path = req.path();
        return path.endsWith("/") ? path + DocPath.INDEX : path;
    }

    // ---- what AfpaConn asks of the mode ----

    @Override
    protected Socket socket() {
        return so;
    }

    @Override
    protected HttpRequest request() {
        return parser.request();
    }

    @Override
    protected HttpRequest unansweredRequest() {
        return parser.started() && !parser.inBody() && fed > 0 ? parser.request() : null;
    }

    /**
     * The seed's miss path opens the object; its chunks are read when first pinned ("the request must be
     * queued to a pool of worker threads").
     */
    @Override
    protected CacheResult readMiss(AfpaCache cache, String key) {
        return cache.open(key);
    }

    @Override
    protected boolean requestPending() {
        return parser.started() || so.rcv.cc() > answered + fed;
    }

    @Override
    protected void closeGracefully() {
        close();
    }

    @Override
    protected void afterMiss() {
        resume();
    }

    /** Outside an event: takes what was answered and goes on with buffered requests. Lock held. */
    private void resume() {
        if (done || inEvent) {
            return;
        }
        int t = answered;
        answered = 0;
        c.take(t);
        if (!done) {
            process(so.rcv.cc());
            if (!inEvent && answered > 0) {
                int more = answered;
                answered = 0;
                c.take(more);
            }
        }
    }

    // ---- responses ----

    private void consumeRequest() {
        answered += fed;
        fed = 0;
        parser.reset();
        disarmIdle();
    }

    private void writeHeader() {
        int max = afpa.headers().maxLength(plan.contentType());
        if (hdr.length < max) {
            hdr = new byte[max];
        }
        hdrLen = afpa.headers().write(plan, afpa.nowSeconds(), hdr, 0);
    }

    @Override
    protected void respond(HttpRequest req, CacheObject o) {
        plan.forFile(req, o.size(), o.mtime() / 1_000_000_000L, o.contentType());
        if (plan.bodyFromFile() && (plan.fileOffset() != 0 || plan.fileLength() != o.size())
                && !o.pins().allPinned()) {
            // a range is copied out of the frames, which must all be in memory: until then the user-level
            // server answers ranges, with the request's bytes still unread
            o.release();
            pass(true);
            return;
        }
        keepAlive = plan.keepAlive();
        writeHeader();
        consumeRequest();
        if (plan.status() == HttpStatus.NOT_MODIFIED) {
            stats.inc(AfpaStats.NOT_MODIFIED);
        } else if (plan.bodyFromErrorPage()) {
            stats.inc(AfpaStats.ERRORS);
        }
        if (!plan.bodyFromFile()) {
            o.release();
            sendBytes(plan.bodyFromErrorPage() ? ErrorPages.body(plan.status()) : null);
            finished();
            return;
        }
        if (plan.fileOffset() != 0 || plan.fileLength() != o.size() || o.frameCount() == 0) {
            sendRange(o, plan.fileOffset(), plan.fileLength());
            return;
        }
        stats.add(AfpaStats.BYTES, hdrLen + o.size());
        sending = o;
        nextChunk = 0;
        outstanding = 0;
        sendChunks();
    }

    /** Sends pinned chunks while fewer than {@link #WINDOW} are unacknowledged; an unpinned one goes to a worker. */
    private void sendChunks() {
        CacheObject o = sending;
        if (o == null || busy) {
            // a worker is pinning the next chunk and sends it itself
            return;
        }
        PinArray pins = o.pins();
        while (!done && sending == o && outstanding < WINDOW && nextChunk < pins.chunks()) {
            int k = nextChunk;
            if (!pins.tryPin(k)) {
                busy = true;
                if (!afpa.post(() -> pinAndSend(o, k))) {
                    busy = false;
                    abort();
                }
                return;
            }
            sendPinned(o, k);
        }
        if (sending == o && nextChunk >= pins.chunks()) {
            sending = null;
            o.release();
            finished();
        }
    }

    /** A worker reads and pins chunk {@code k} ("queued to a pool of worker threads"), then sends it. */
    private void pinAndSend(CacheObject o, int k) {
        boolean pinned = o.pins().pin(k);
        so.lock().enter();
        try {
            busy = false;
            if (done || sending != o || nextChunk != k) {
                if (pinned) {
                    o.pins().unpin(k);
                }
                return;
            }
            if (!pinned) {
                // the file changed or memory ran out half-way: the response cannot be completed
                abort();
                return;
            }
            sendPinned(o, k);
            sendChunks();
            resume();
        } finally {
            so.lock().exit();
        }
    }

    private void sendPinned(CacheObject o, int k) {
        int from = o.chunkFirstFrame(k);
        int to = o.chunkEndFrame(k);
        Mbuf chain = FrameChains.build(so.mbufs(), o, from, to, k == 0 ? hdr : null, hdrLen, null, null, stats);
        Chunk ch = new Chunk(o, k);
        unacked.add(ch);
        if (chain == null || c.send(chain, this::sendComplete, ch) != 0) {
            unacked.remove(ch);
            o.pins().unpin(k);
            abort();
            return;
        }
        stats.inc(AfpaStats.CHUNKS);
        outstanding++;
        nextChunk = k + 1;
    }

    /** Which chunk a send request carried, so its completion unpins that one. */
    private static final class Chunk {
        final CacheObject obj;
        final int index;
        /** Unpinned already: by its completion, or by {@link #abandon} when no completion was coming. */
        boolean unpinned;

        Chunk(CacheObject obj, int index) {
            this.obj = obj;
            this.index = index;
        }
    }

    /** The send completion: "decrements the pin count [...] and repeats the process for the next chunk". */
    private void sendComplete(TdiConnection conn, Object ctx, int errno) {
        Chunk ch = (Chunk) ctx;
        if (ch.unpinned) {
            return;
        }
        ch.unpinned = true;
        unacked.remove(ch);
        ch.obj.pins().unpin(ch.index);
        if (done && unacked.isEmpty()) {
            fe.forget(this);
        }
        if (ch.obj != sending) {
            return;
        }
        outstanding--;
        if (errno != 0 || done) {
            if (sending != null) {
                sending.release();
                sending = null;
            }
            return;
        }
        sendChunks();
        if (!inEvent && sending == null && !working()) {
            resume();
        }
    }

    private void sendRange(CacheObject o, long off, long len) {
        Mbuf chain = MbufCopy.fromBytes(so.mbufs(), hdr, 0, hdrLen);
        long left = len;
        for (int i = 0; i < o.frameCount() && left > 0 && chain != null; i++) {
            long fo = o.fileOffset(i);
            int fl = o.payloadLen(i);
            if (fo + fl <= off) {
                continue;
            }
            if (!o.pins().tryPin(o.chunkOf(i))) {
                so.mbufs().freeChain(chain);
                chain = null;
                break;
            }
            int from = (int) Math.max(0, off - fo);
            int n = (int) Math.min(fl - from, left);
            boolean ok = MbufCopy.append(chain, o.frameBuf(i), o.payloadOff(i) + from, n);
            o.pins().unpin(o.chunkOf(i));
            if (!ok) {
                so.mbufs().freeChain(chain);
                chain = null;
                break;
            }
            off += n;
            left -= n;
        }
        o.release();
        if (chain == null) {
            // a range of chunks not yet read: the user-level server answers it
            abort();
            return;
        }
        stats.add(AfpaStats.BYTES, hdrLen + len);
        if (c.send(chain, null, null) != 0) {
            abort();
            return;
        }
        finished();
    }

    private void sendBytes(byte[] body) {
        Mbuf chain = MbufCopy.fromBytes(so.mbufs(), hdr, 0, hdrLen);
        if (chain != null && body != null && !MbufCopy.append(chain, body, 0, body.length)) {
            so.mbufs().freeChain(chain);
            chain = null;
        }
        if (chain == null || c.send(chain, null, null) != 0) {
            abort();
            return;
        }
        stats.add(AfpaStats.BYTES, hdrLen + (body == null ? 0 : body.length));
    }

    @Override
    protected void answerError(HttpRequest req, int status) {
        plan.forError(req, status);
        keepAlive = plan.keepAlive();
        writeHeader();
        consumeRequest();
        stats.inc(AfpaStats.ERRORS);
        sendBytes(plan.head() ? null : ErrorPages.body(status));
        finished();
    }

    private void finished() {
        if (done) {
            return;
        }
        if (!keepAlive || peerDone) {
            close();
            return;
        }
        armIdle();
    }

    // ---- letting go ----

    /** Pass-through: to the user-level server with the unanswered bytes. */
    @Override
    protected void handOver(boolean count) {
        take();
        done = true;
        disarmIdle();
        letGo();
        c.passToUser();
        if (count) {
            stats.inc(AfpaStats.PASSED);
        }
    }

    /** Takes the answered bytes now when not inside an event (whose return value takes them). */
    private void take() {
        if (!inEvent && answered > 0) {
            c.take(answered);
            answered = 0;
        }
    }

    private void close() {
        if (done) {
            return;
        }
        // everything unread goes too: bytes left behind would make the close a reset
        answered = Math.max(answered, so.rcv.cc());
        take();
        done = true;
        disarmIdle();
        if (sending != null) {
            sending.release();
            sending = null;
        }
        letGo();
        c.disconnect(false);
    }

    private void abort() {
        if (done) {
            return;
        }
        done = true;
        disarmIdle();
        if (sending != null) {
            sending.release();
            sending = null;
        }
        letGo();
        c.disconnect(true);
    }

    /** Unload: idle connections go to the user-level server now, busy ones after their response. */
    void drain() {
        so.lock().enter();
        try {
            draining = true;
            if (!done && sending == null && !working()) {
                pass(false);
            }
        } finally {
            so.lock().exit();
        }
    }

    /** The connection is no longer ours: the front end forgets it once no chunk it sent is unacknowledged. */
    private void letGo() {
        if (unacked.isEmpty()) {
            fe.forget(this);
        }
    }

    /**
     * The address closed under it (the address passed it on), or the front end gave up waiting for it:
     * forget it, and unpin what it sent that no completion has unpinned (a halting kernel completes no
     * more sends; a completion that still comes finds its chunk unpinned).
     */
    void abandon() {
        so.lock().enter();
        try {
            if (!done) {
                done = true;
                disarmIdle();
                if (sending != null) {
                    sending.release();
                    sending = null;
                }
            }
            Chunk ch;
            while ((ch = unacked.poll()) != null) {
                if (!ch.unpinned) {
                    ch.unpinned = true;
                    ch.obj.pins().unpin(ch.index);
                }
            }
            fe.forget(this);
        } finally {
            so.lock().exit();
        }
    }

    // ---- idle ----

    private void armIdle() {
        idle.scheduleNanos(afpa.config().keepAliveTimeoutSeconds() * 1_000_000_000L);
    }

    @Override
    protected void disarmIdle() {
        if (idle != null) {
            idle.stop();
        }
    }

    private void idleFired() {
        so.lock().enter();
        try {
            if (done || idle.pending() || sending != null || working()) {
                return;
            }
            stats.inc(AfpaStats.IDLE_CLOSED);
            close();
        } finally {
            so.lock().exit();
        }
    }
}
