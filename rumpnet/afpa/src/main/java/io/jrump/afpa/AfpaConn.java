package io.jrump.afpa;

import io.jrump.afpa.cache.AfpaCache;
import io.jrump.afpa.cache.CacheObject;
import io.jrump.afpa.cache.CacheResult;
import io.jrump.afpa.http.HttpMethod;
import io.jrump.afpa.http.HttpRequest;
import io.jrump.afpa.http.HttpRequestParser;
import io.jrump.afpa.http.HttpStatus;
import io.jrump.afpa.http.ResponsePlan;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufCopy;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.rumpnet.socket.Socket;

/**
 * What a held connection does with a parsed request in either mode, the part the two seeds share: a GET
 * or HEAD found in the cache is answered at once, in the context the request arrived in; a miss goes to a
 * service thread, which reads the object and then answers it, or answers 404, or passes the request on;
 * anything else is passed to the user-level server. The modes differ only in how they read a miss (hook
 * mode reads the whole object, tdi mode opens it and reads each chunk when it is first pinned), how they
 * send and how they hand a connection over, which the subclasses supply.
 *
 * <p>A request it must pass on when the user-level server has gone away (its listener closed) is answered
 * 503 with a body instead, and the connection closed: there is nobody to pass it to, and a reset would
 * tell the client nothing.
 *
 * <p>Everything here runs with the connection's socket lock held, as the subclasses' methods do.
 */
public abstract class AfpaConn {
    protected final Afpa afpa;
    protected final AfpaStats stats;
    private final FrontEnd fe;
    protected final HttpRequestParser parser;
    protected final ResponsePlan plan = new ResponsePlan();
    /** The connection; set when it becomes the accelerator's. */
    protected Socket so;
    /** Received bytes of the current request already fed to the parser (they stay in the buffer). */
    protected int fed;
    /** The response header being sent, {@code hdr[0, hdrLen)}. */
    protected byte[] hdr;
    protected int hdrLen;
    protected boolean keepAlive;
    /** A service thread is building the object the current request asked for. */
    protected boolean missPending;
    /** The connection is no longer the accelerator's (passed on, closed or reset). */
    protected boolean done;

    protected AfpaConn(Afpa afpa, FrontEnd fe, HttpRequestParser parser, byte[] hdr) {
        this.afpa = afpa;
        this.stats = afpa.stats();
        this.fe = fe;
        this.parser = parser;
        this.hdr = hdr;
    }

    public final boolean done() {
        return done;
    }

    /** The connection's socket, whose lock guards this state. */
    public final Socket socket() {
        return so;
    }

    /**
     * Sets {@code TCP_NODELAY} on the connection when it becomes the accelerator's (lock held). Every
     * response is queued whole or a chunk at a time, all of it due at once; Nagle's rule (RFC 1122
     * section 4.2.3.4) is for small writes, and would hold a response's short last segment for an ACK, a
     * round trip per response: a TSO packet is cut at whole segments, so the tail need not start at a
     * frame, which TCP always sends. The user-level server sets the option for the same reason.
     */
    protected final void noDelay() {
        try {
            so.protosw().setopt(so, SocketDefs.IPPROTO_TCP, SocketDefs.TCP_NODELAY, 1);
        } catch (ErrnoException e) {
            // a connection already gone: nothing will be sent on it
        }
    }

    /** The request being answered (the parser's). */
    protected final HttpRequest request() {
        return parser.request();
    }

    /** The request a 503 answers, if it was parsed far enough to say how (version, HEAD); else null. */
    private HttpRequest unansweredRequest() {
        return parser.started() && !parser.inBody() && fed > 0 ? parser.request() : null;
    }

    /** Writes the response header {@link #plan} calls for into {@link #hdr}, which grows if it must. */
    protected final void writeHeader() {
        int max = afpa.headers().maxLength(plan.contentType());
        if (hdr.length < max) {
            hdr = new byte[max];
            headerBufferGrown(hdr);
        }
        hdrLen = afpa.headers().write(plan, afpa.nowSeconds(), hdr, 0);
    }

    /** The header buffer was replaced by a larger one (hook mode keeps it for the next connection). */
    protected void headerBufferGrown(byte[] b) {
    }

    /** The header followed by {@code body} (if not null) in new mbufs; null if the pool ran dry. */
    protected final Mbuf headerAnd(byte[] body) {
        Mbuf chain = MbufCopy.fromBytes(so.mbufs(), hdr, 0, hdrLen);
        if (chain != null && body != null && !MbufCopy.append(chain, body, 0, body.length)) {
            so.mbufs().freeChain(chain);
            return null;
        }
        return chain;
    }

    /**
     * The header followed by a copy of the file's bytes {@code [off, off + len)} out of {@code o}'s frames
     * (a range is short and starts anywhere in a frame, so it is copied, not sent as frames); each chunk is
     * pinned while it is copied. Null if the pool ran dry or a chunk is not in memory (tdi mode reads
     * chunks when first pinned).
     */
    protected final Mbuf headerAndRange(CacheObject o, long off, long len) {
        Mbuf chain = MbufCopy.fromBytes(so.mbufs(), hdr, 0, hdrLen);
        long left = len;
        for (int i = 0; i < o.frameCount() && left > 0 && chain != null; i++) {
            long fo = o.fileOffset(i);
            int fl = o.payloadLen(i);
            if (fo + fl <= off) {
                continue;
            }
            int c = o.chunkOf(i);
            if (!o.pins().tryPin(c)) {
                so.mbufs().freeChain(chain);
                return null;
            }
            int from = (int) Math.max(0, off - fo);
            int n = (int) Math.min(fl - from, left);
            boolean ok = MbufCopy.append(chain, o.frameBuf(i), o.payloadOff(i) + from, n);
            o.pins().unpin(c);
            if (!ok) {
                so.mbufs().freeChain(chain);
                return null;
            }
            off += n;
            left -= n;
        }
        return chain;
    }

    /** Reads the object for a miss: {@link AfpaCache#get} in hook mode, {@link AfpaCache#open} in tdi mode. */
    protected abstract CacheResult readMiss(AfpaCache cache, String key);

    /** Answers {@code req} from {@code o}, whose hold passes to the response. */
    protected abstract void respond(HttpRequest req, CacheObject o);

    /** Answers an error page the accelerator writes itself (404, 503, ...), consuming the request. */
    protected abstract void answerError(HttpRequest req, int status);

    /** Hands the connection and its unanswered bytes to the user-level server ({@code count}: a pass-through). */
    protected abstract void handOver(boolean count);

    /** Ends the connection after what is queued. */
    protected abstract void closeGracefully();

    /** Whether unanswered request bytes wait (a request begun or buffered). */
    protected abstract boolean requestPending();

    /** Stops the idle timer (a miss is being built). */
    protected abstract void disarmIdle();

    /** After a miss was answered, from the service thread: go on with buffered requests. */
    protected abstract void afterMiss();

    /**
     * Feeds {@code n} received bytes to the parser and acts on what it found: a complete request is
     * dispatched, a request with a body (not one the accelerator serves) is passed on, one it cannot
     * parse is answered with its error page. False if the caller must stop reading requests.
     */
    protected final boolean feed(byte[] b, int n) {
        HttpRequestParser.Result r = parser.feed(b, 0, n);
        fed += parser.consumed();
        switch (r) {
            case NEED_MORE -> {
                if (parser.inBody()) {
                    pass(true);
                    return false;
                }
                return true;
            }
            case ERROR -> {
                answerError(null, parser.errorStatus());
                return false;
            }
            default -> {
                dispatch(parser.request(), cacheKey(parser.request()));
                return true;
            }
        }
    }

    /** The cache object a request's path names. */
    protected abstract String cacheKey(HttpRequest req);

    /** Dispatches a complete request for the cache object {@code key}. */
    protected final void dispatch(HttpRequest req, String key) {
        HttpMethod m = req.method();
        AfpaCache cache = afpa.cache();
        if (m != HttpMethod.GET && m != HttpMethod.HEAD || cache == null) {
            pass(true);
            return;
        }
        CacheObject o = cache.lookup(key);
        if (o != null) {
            stats.inc(AfpaStats.HITS);
            respond(req, o);
            return;
        }
        missPending = true;
        disarmIdle();
        if (!afpa.post(() -> serviceMiss(key))) {
            missPending = false;
            pass(true);
        }
    }

    /** A service thread builds the object the softint did not find (the seeds' miss path), then answers. */
    private void serviceMiss(String key) {
        AfpaCache cache = afpa.cache();
        CacheResult r = cache == null ? null : readMiss(cache, key);
        Socket so = socket();
        so.lock().enter();
        try {
            missPending = false;
            if (done) {
                if (r != null && r.found()) {
                    r.object().release();
                }
                return;
            }
            outcome(r);
            afterMiss();
        } finally {
            so.lock().exit();
        }
    }

    /** The miss's outcome: respond, not found, or pass. */
    private void outcome(CacheResult r) {
        if (r == null) {
            pass(true);
            return;
        }
        switch (r.status()) {
            case HIT -> {
                stats.inc(AfpaStats.HITS);
                respond(request(), r.object());
            }
            case BUILT -> {
                stats.inc(AfpaStats.MISSES);
                respond(request(), r.object());
            }
            case NOT_FOUND -> answerError(request(), HttpStatus.NOT_FOUND);
            default -> pass(true);
        }
    }

    /**
     * Passes the connection on; with no user-level server listening any more, a request waiting is
     * answered 503 and the connection closed, and an idle one is just closed.
     */
    protected final void pass(boolean count) {
        if (done) {
            return;
        }
        if (fe.alive()) {
            handOver(count);
            return;
        }
        if (requestPending()) {
            answerError(unansweredRequest(), HttpStatus.SERVICE_UNAVAILABLE);
        }
        closeGracefully();
    }
}
