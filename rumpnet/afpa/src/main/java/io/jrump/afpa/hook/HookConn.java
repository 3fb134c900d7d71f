package io.jrump.afpa.hook;

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
import io.jrump.kern.file.Poll;
import io.jrump.kern.intr.Callout;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufCopy;
import io.jrump.rumpnet.socket.SoUpcall;
import io.jrump.rumpnet.socket.Socket;

/**
 * Hook mode's per-connection context (the Linux seed: "if the request does not fit entirely into the
 * first packet, AFPA creates a connection context which it retrieves when the next packet arrives"),
 * installed as the connection's data-arrival upcall. Everything here runs with the connection's lock
 * held: from the upcall (network softint), from the front end's softint (a chunk's flagged frame was
 * freed), from the idle callout, or from a service thread that built a missing object.
 *
 * <p>One request at a time: the next pipelined request is parsed once the response before it is wholly
 * queued, so responses leave in request order (RFC 9112 section 9.3.2). Request bytes are only looked
 * at until the accelerator answers; a request it does not serve is handed, with its bytes and every
 * byte after it, to the user-level server ({@link Socket#releaseToAccept()}).
 *
 * <p>A body larger than a chunk leaves in 64 KB chunks (the seed's "sends responses in 64 kB chunks"):
 * the next chunk is queued when the flagged last frame of the one before is freed, or when the send
 * buffer has room again, whichever comes first.
 */
final class HookConn extends AfpaConn implements SoUpcall, FrameChains.ChunkFreed {
    private static final int PEEK = 2048;

    private final HookFrontEnd fe;
    final Socket so;
    /** Buffers lent by the front end for the connection's life, so a new connection allocates little. */
    final Scratch scratch;
    private final HttpRequestParser parser;
    private final ResponsePlan plan = new ResponsePlan();
    private final byte[] peek;
    private byte[] hdr;
    private final Callout idle;
    /** Made when the mbuf pool first runs dry under a response. */
    private Callout retry;
    /** Received bytes of the current request already fed to the parser (they stay in the buffer). */
    private int fed;
    /** Bytes of the request just answered, taken once its response is queued ({@link #takeAnswered}). */
    private int answeredBytes;
    /**
     * The response whose frames are being queued; its hold on the object is released at the end.
     * Volatile for {@link #chunkFreed}, which runs on whatever thread freed the frame.
     */
    private volatile CacheObject sending;
    private int nextFrame;
    private int hdrLen;
    private boolean keepAlive;
    private boolean draining;

    /**
     * A connection's parser and byte buffers (the parser alone keeps a request line's worth), reused by
     * the next connection once this one is done: a connection per request would otherwise allocate them
     * each time.
     */
    static final class Scratch {
        final HttpRequestParser parser = new HttpRequestParser();
        final byte[] peek = new byte[PEEK];
        byte[] hdr = new byte[1024];
        /** The cache key of the last path looked up, and that path's bytes: a keep-alive client asks again. */
        private String lastKey;
        private byte[] lastPath = new byte[64];
        private int lastLen;

        /**
         * The cache key for {@code req}'s path (a directory's index file for a path ending in {@code /}),
         * made without allocating when the path is the one looked up last on this buffer set.
         */
        String cacheKey(HttpRequest req) {
            if (lastKey != null && req.pathEquals(lastPath, 0, lastLen)) {
                return lastKey;
            }
            String path = req.path();
            if (path.endsWith("/")) {
                path = path + DocPath.INDEX;
            }
            int n = req.pathLength();
            if (lastPath.length < n) {
                lastPath = new byte[n];
            }
            System.arraycopy(req.pathBytes(), 0, lastPath, 0, n);
            lastLen = n;
            lastKey = path;
            return path;
        }
    }

    HookConn(HookFrontEnd fe, Socket so, Scratch scratch) {
        super(fe.afpa(), fe);
        this.scratch = scratch;
        this.parser = scratch.parser;
        this.peek = scratch.peek;
        this.hdr = scratch.hdr;
        this.fe = fe;
        this.so = so;
        this.idle = so.kernel().callouts().create("afpa idle", this::idleFired);
    }

    /** Called at hold time: wait for the first request for at most the keep-alive timeout. */
    void start() {
        armIdle();
    }

    @Override
    public void upcall(Socket s, int events) {
        if (done) {
            return;
        }
        if (!so.kernelHeld()) {
            // the listener let go of it before the hold took effect: not ours
            forget();
            return;
        }
        if (sending != null && (events & Poll.POLLOUT) != 0) {
            pump();
        }
        input();
    }

    /**
     * The flagged frame of a chunk was freed: queue the next one from the front end's softint, unless the
     * response is wholly queued already (the send buffer had room for every chunk), when there is nothing
     * to queue and the softint would only be woken for nothing.
     */
    @Override
    public void chunkFreed(Object ctx) {
        if (sending != null) {
            fe.kick(this);
        }
    }

    /** From the front end's softint, lock held. */
    void kicked() {
        if (!done && sending != null) {
            pump();
            input();
        }
    }

    // ---- requests ----

    private void input() {
        while (!done && sending == null && !missPending) {
            if (so.hasState(Socket.SS_ISDISCONNECTED) || so.pcb() == null) {
                close(false);
                return;
            }
            if (draining) {
                pass(false);
                return;
            }
            int avail = so.rcv.cc() - fed;
            if (avail <= 0) {
                if (so.hasState(Socket.SS_CANTRCVMORE)) {
                    // the client is done sending: nothing more to answer
                    close(!parser.started());
                }
                return;
            }
            int n = SockIo.peek(so, fed, peek, 0, Math.min(avail, PEEK));
            HttpRequestParser.Result r = parser.feed(peek, 0, n);
            fed += parser.consumed();
            switch (r) {
                case NEED_MORE -> {
                    if (parser.inBody()) {
                        // a request with a body is not one this accelerator serves
                        pass(true);
                        return;
                    }
                }
                case ERROR -> {
                    answerError(null, parser.errorStatus(), fed);
                    return;
                }
                case COMPLETE -> dispatch(parser.request(), scratch.cacheKey(parser.request()));
            }
        }
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

    /** The seed's miss path reads the whole object ("reads it into Ethernet-frame-sized buffers"). */
    @Override
    protected CacheResult readMiss(AfpaCache cache, String key) {
        return cache.get(key);
    }

    @Override
    protected void answerError(HttpRequest req, int status) {
        answerError(req, status, fed);
    }

    @Override
    protected boolean requestPending() {
        return parser.started() || so.rcv.cc() > fed;
    }

    @Override
    protected void closeGracefully() {
        close(true);
    }

    @Override
    protected void afterMiss() {
        input();
    }

    // ---- responses ----

    @Override
    protected void respond(HttpRequest req, CacheObject o) {
        plan.forFile(req, o.size(), o.mtime() / 1_000_000_000L, o.contentType());
        keepAlive = plan.keepAlive();
        writeHeader();
        answeredBytes = fed;
        fed = 0;
        parser.reset();
        disarmIdle();
        try {
            respondPlanned(o);
        } finally {
            takeAnswered();
        }
    }

    /**
     * Takes the answered request's bytes once the response is queued: taking them first would have TCP
     * send a window update of its own ahead of the response, which instead carries the ACK.
     */
    private void takeAnswered() {
        int n = answeredBytes;
        answeredBytes = 0;
        if (n > 0 && !done) {
            SockIo.consume(so, n);
        }
    }

    private void respondPlanned(CacheObject o) {
        if (plan.status() == HttpStatus.NOT_MODIFIED) {
            stats.inc(AfpaStats.NOT_MODIFIED);
        } else if (plan.bodyFromErrorPage()) {
            stats.inc(AfpaStats.ERRORS);
        }
        if (!plan.bodyFromFile()) {
            o.release();
            sendHeaderAnd(plan.bodyFromErrorPage() ? ErrorPages.body(plan.status()) : null);
            return;
        }
        if (plan.fileOffset() != 0 || plan.fileLength() != o.size()) {
            sendRange(o, plan.fileOffset(), plan.fileLength());
            o.release();
            return;
        }
        stats.add(AfpaStats.BYTES, hdrLen + o.size());
        sending = o;
        nextFrame = 0;
        pump();
    }

    private void writeHeader() {
        int max = afpa.headers().maxLength(plan.contentType());
        if (hdr.length < max) {
            hdr = new byte[max];
            scratch.hdr = hdr;
        }
        hdrLen = afpa.headers().write(plan, afpa.nowSeconds(), hdr, 0);
    }

    /** Queues chunks while the send buffer has room for them. */
    private void pump() {
        CacheObject o = sending;
        while (o != null && !done) {
            int total = o.frameCount();
            if (nextFrame >= total) {
                if (total == 0) {
                    sendHeaderAnd(null);
                }
                sending = null;
                o.release();
                finished();
                return;
            }
            int end = Math.min(total, o.chunkEndFrame(o.chunkOf(nextFrame)));
            long bytes = FrameChains.bytes(o, nextFrame, end) + (nextFrame == 0 ? hdrLen : 0);
            if (so.snd.cc() > 0 && so.snd.space() < Math.min(bytes, PinArray.CHUNK_SIZE)) {
                return;
            }
            // the last chunk needs no flag: nothing follows it
            Mbuf chain = FrameChains.build(so.mbufs(), o, nextFrame, end, nextFrame == 0 ? hdr : null, hdrLen,
                    end < total ? this : null, null, stats);
            if (chain == null) {
                // no mbufs now: the next ACK or free hook tries again, or with nothing in flight a tick later
                if (so.snd.cc() == 0) {
                    retryLater();
                }
                return;
            }
            if (SockIo.send(so, chain) != 0) {
                sending = null;
                o.release();
                close(false);
                return;
            }
            stats.inc(AfpaStats.CHUNKS);
            nextFrame = end;
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
            int from = (int) Math.max(0, off - fo);
            int n = (int) Math.min(fl - from, left);
            if (!MbufCopy.append(chain, o.frameBuf(i), o.payloadOff(i) + from, n)) {
                so.mbufs().freeChain(chain);
                chain = null;
                break;
            }
            off += n;
            left -= n;
        }
        if (chain == null) {
            close(false);
            return;
        }
        stats.add(AfpaStats.BYTES, hdrLen + len);
        if (SockIo.send(so, chain) != 0) {
            close(false);
            return;
        }
        finished();
    }

    private void sendHeaderAnd(byte[] body) {
        Mbuf chain = MbufCopy.fromBytes(so.mbufs(), hdr, 0, hdrLen);
        if (chain != null && body != null && !MbufCopy.append(chain, body, 0, body.length)) {
            so.mbufs().freeChain(chain);
            chain = null;
        }
        if (chain == null || SockIo.send(so, chain) != 0) {
            close(false);
            return;
        }
        stats.add(AfpaStats.BYTES, hdrLen + (body == null ? 0 : body.length));
        if (sending == null) {
            finished();
        }
    }

    /** An error page the accelerator answers itself (400, 404, 414, 431, 505), then consumes the request. */
    private void answerError(HttpRequest req, int status, int consumed) {
        plan.forError(req, status);
        keepAlive = plan.keepAlive();
        writeHeader();
        answeredBytes = consumed;
        fed = 0;
        parser.reset();
        stats.inc(AfpaStats.ERRORS);
        try {
            sendHeaderAnd(plan.head() ? null : ErrorPages.body(status));
        } finally {
            takeAnswered();
        }
    }

    /** The response is wholly queued: keep the connection for the next request, or close it after. */
    private void finished() {
        if (done) {
            return;
        }
        if (!keepAlive) {
            close(true);
            return;
        }
        armIdle();
    }

    // ---- letting go ----

    /** Hands the connection to the user-level server with its unanswered bytes ({@code releaseToAccept}). */
    @Override
    protected void handOver(boolean count) {
        done = true;
        disarmIdle();
        so.setUpcall(null);
        fe.forget(this);
        int err = so.releaseToAccept();
        if (count && err == 0) {
            stats.inc(AfpaStats.PASSED);
        }
    }

    /** Closes the connection, gracefully (after what is queued) or with a reset. */
    private void close(boolean graceful) {
        if (done) {
            return;
        }
        done = true;
        disarmIdle();
        if (sending != null) {
            sending.release();
            sending = null;
        }
        so.setUpcall(null);
        fe.forget(this);
        answeredBytes = 0;
        if (graceful) {
            // unread request bytes would turn the close into a reset that can overtake the response
            SockIo.consume(so, so.rcv.cc());
            so.closeByKernel();
        } else {
            so.abortByKernel();
        }
    }

    private void forget() {
        done = true;
        disarmIdle();
        so.setUpcall(null);
        fe.forget(this);
    }

    /**
     * Unload: an idle connection goes to the user-level server now; one with a response under way or a
     * miss being built goes at the end of that response (a request boundary).
     */
    void drain() {
        if (done) {
            return;
        }
        draining = true;
        if (sending == null && !missPending) {
            pass(false);
        }
    }

    /** The front end is going away and the connection would not drain: reset it. */
    void abort() {
        close(false);
    }

    /** Kicks the connection a tick from now, when no ACK or free hook is left to do it. */
    private void retryLater() {
        if (retry == null) {
            retry = so.kernel().callouts().create("afpa mbuf retry", () -> fe.kick(this));
        }
        retry.schedule(1);
    }

    // ---- idle timeout ----

    private void armIdle() {
        idle.scheduleNanos(afpa.config().keepAliveTimeoutSeconds() * 1_000_000_000L);
    }

    @Override
    protected void disarmIdle() {
        idle.stop();
        if (done && retry != null) {
            retry.stop();
        }
    }

    /**
     * The callout, which takes the lock itself: a connection that was re-armed meanwhile (pending again)
     * or is busy is left alone. The timer is not reset by bytes of an unfinished request, so a client
     * sending one byte at a time is closed after the timeout as an idle one is.
     */
    private void idleFired() {
        so.lock().enter();
        try {
            if (done || idle.pending() || sending != null || missPending) {
                return;
            }
            stats.inc(AfpaStats.IDLE_CLOSED);
            close(true);
        } finally {
            so.lock().exit();
        }
    }
}
