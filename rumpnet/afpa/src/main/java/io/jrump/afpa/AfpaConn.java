package io.jrump.afpa;

import io.jrump.afpa.cache.AfpaCache;
import io.jrump.afpa.cache.CacheObject;
import io.jrump.afpa.cache.CacheResult;
import io.jrump.afpa.http.HttpMethod;
import io.jrump.afpa.http.HttpRequest;
import io.jrump.afpa.http.HttpStatus;
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
    /** A service thread is building the object the current request asked for. */
    protected boolean missPending;
    /** The connection is no longer the accelerator's (passed on, closed or reset). */
    protected boolean done;

    protected AfpaConn(Afpa afpa, FrontEnd fe) {
        this.afpa = afpa;
        this.stats = afpa.stats();
        this.fe = fe;
    }

    public final boolean done() {
        return done;
    }

    /** The connection's socket, whose lock guards this state. */
    protected abstract Socket socket();

    /** The request being answered (the parser's). */
    protected abstract HttpRequest request();

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

    /** The request the 503 answers, if it was parsed far enough to say how (version, HEAD); else null. */
    protected abstract HttpRequest unansweredRequest();
}
