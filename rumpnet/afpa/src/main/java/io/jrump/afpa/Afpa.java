package io.jrump.afpa;

import io.jrump.afpa.cache.AfpaCache;
import io.jrump.afpa.http.HttpDate;
import io.jrump.afpa.http.HttpResponseHeader;
import io.jrump.kern.Kernel;
import io.jrump.kern.intr.Callout;
import io.jrump.kern.sync.KMutex;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.rumpnet.socket.SoListenWatch;
import io.jrump.rumpnet.socket.Socket;
import io.jrump.rumpnet.socket.Sockets;

/**
 * One kernel's accelerator (registered as its {@code Afpa} service while {@code rumpnet_afpa} is
 * attached): the settings, counters, service threads and the front end that the configured mode
 * calls for (the AFPA seeds: {@code ../shared/seeds/000_*} hook mode, {@code 001_*} tdi mode).
 *
 * <p>A change to any {@code net.afpa} setting reconfigures at once in the writer's thread when that only
 * attaches (so the front end serves when the write returns); a change that must detach the running front
 * end (the port, mode or enable setting moved) is queued to the service threads, so the sysctl writer
 * never waits for connections to drain. A {@code listen(2)} on the port attaches the same way.
 */
public final class Afpa {
    /** The {@code Server} field of responses, the same from the user-level server. */
    public static final String SERVER = HttpResponseHeader.SERVER;

    private final Kernel kernel;
    private final AfpaConfig config;
    private final AfpaStats stats = new AfpaStats();
    private final ServiceThreads service;
    private final KMutex lock;
    /** Serialises attaching and detaching front ends; held across a detach that may sleep. */
    private final KMutex feLock;
    private final FrontEnds frontEnds;
    /** Tries a front end that could not attach again a second later (hook mode before a listener). */
    private final Callout retry;
    /** Once a second while a front end runs: has its listener gone (the user-level server restarted)? */
    private final Callout watch;
    private volatile FrontEnd active;
    private String activeKey = "";
    private final HttpDate dates = new HttpDate();
    private volatile HttpResponseHeader headers;
    private volatile int headersTimeout;
    private boolean reconfigQueued;
    private boolean stopped;
    private final SoListenWatch listenWatch = this::listening;
    /** A reconfiguration is detaching a front end (and may wait for its responses to drain). */
    private volatile boolean detachingNow;

    /** Builds the per-kernel state; the front-end factory chooses how each mode meets the stack. */
    Afpa(Kernel kernel, AfpaConfig config, FrontEnds frontEnds) {
        this.kernel = kernel;
        this.config = config;
        this.service = new ServiceThreads(kernel);
        this.lock = kernel.newMutex();
        this.feLock = kernel.newMutex();
        this.frontEnds = frontEnds;
        this.retry = kernel.callouts().create("afpa attach retry", this::settingChanged);
        this.watch = kernel.callouts().create("afpa listener watch", this::watchListener);
    }

    public Kernel kernel() {
        return kernel;
    }

    public AfpaConfig config() {
        return config;
    }

    public AfpaStats stats() {
        return stats;
    }

    ServiceThreads service() {
        return service;
    }

    /**
     * Queues {@code r} to the service threads (a miss to build, a chunk to pin, a connection to let go);
     * false once the accelerator is stopping, when the caller must finish the work itself or undo it.
     */
    public boolean post(Runnable r) {
        return service.post(r);
    }

    /** The cache both modes serve from; null until the first configuration ran. */
    public AfpaCache cache() {
        return frontEnds.cache();
    }

    /** The response header writer, with the {@code Server} name and the keep-alive timeout announced. */
    public HttpResponseHeader headers() {
        HttpResponseHeader h = headers;
        int t = config.keepAliveTimeoutSeconds();
        if (h == null || headersTimeout != t) {
            h = new HttpResponseHeader(SERVER, dates, t);
            headersTimeout = t;
            headers = h;
        }
        return h;
    }

    /** The wall clock in epoch seconds, for {@code Date}. */
    public long nowSeconds() {
        return kernel.hypercall().clock().wallNanos() / 1_000_000_000L;
    }

    /**
     * Starts the service threads and the configured front end, and watches {@code listen(2)} so that a
     * user-level server that starts listening on the port later is found at once.
     */
    void start() {
        config.onChange(this::settingWritten);
        Sockets sockets = kernel.service(Sockets.class);
        if (sockets != null) {
            sockets.watchListen(listenWatch);
        }
        service.resize(config.workers());
        settingChanged();
    }

    /**
     * A sysctl writer changed a setting (the new value is already in force in {@link AfpaConfig}): attach
     * in the writer's thread, so that the front end serves when the write returns; what needs a detach
     * (which may wait for responses to drain) goes to the service threads.
     */
    private void settingWritten() {
        reconfigureNow();
    }

    /** {@code listen(2)} on some socket: if it is the port's listener and nothing serves it, attach now. */
    private void listening(Socket so) {
        if (!config.enabled() || feLock.owned()) {
            return; // a front end attaching in this thread: it finds the listener itself
        }
        SockAddr a = new SockAddr();
        so.protosw().sockaddr(so, a);
        if (a.port != config.port()) {
            return;
        }
        FrontEnd f = active;
        if (f == null || !f.alive()) {
            reconfigureNow();
        }
    }

    /**
     * Reconfigures in the calling thread unless that needs a detach; it waits for a reconfiguration under
     * way unless that one is detaching (which may wait for responses to drain): then it queues instead.
     */
    private void reconfigureNow() {
        if (feLock.owned() || detachingNow || !feLock.tryEnter() && !enterUnlessDetaching()) {
            settingChanged();
            return;
        }
        boolean done;
        try {
            done = !isStopped() && apply(false);
        } finally {
            feLock.exit();
        }
        if (!done) {
            settingChanged();
        }
    }

    private boolean enterUnlessDetaching() {
        if (detachingNow) {
            return false;
        }
        feLock.enter();
        return true;
    }

    private boolean isStopped() {
        lock.enter();
        try {
            return stopped;
        } finally {
            lock.exit();
        }
    }

    /** Queues a reconfiguration unless one is queued already. Called from callouts and at start. */
    void settingChanged() {
        lock.enter();
        try {
            if (reconfigQueued || stopped) {
                return;
            }
            reconfigQueued = true;
        } finally {
            lock.exit();
        }
        if (!service.post(this::reconfigure)) {
            lock.enter();
            reconfigQueued = false;
            lock.exit();
        }
    }

    /** Brings the front end in line with the settings; service-thread context. */
    private void reconfigure() {
        lock.enter();
        try {
            reconfigQueued = false;
            if (stopped) {
                return;
            }
        } finally {
            lock.exit();
        }
        feLock.enter();
        try {
            apply(true);
        } finally {
            feLock.exit();
        }
    }

    /**
     * Applies the settings under {@link #feLock}: the cache's, then detaches the running front end if the
     * port, mode or enable setting moved (only when {@code mayDetach}: a detach waits for responses under
     * way) and attaches the new one. False if a detach was needed and not allowed.
     */
    private boolean apply(boolean mayDetach) {
        service.resize(config.workers());
        boolean ready = frontEnds.configure(this);
        String key = config.enabled() && ready ? config.mode() + ":" + config.port() : "";
        if (config.enabled() && !ready) {
            // the docroot may appear later (a mount, a mkdir): look again a second later
            retry.schedule(kernel.callouts().hz());
        }
        if (key.equals(activeKey) && (active != null && active.alive() || key.isEmpty())) {
            return true;
        }
        if (active != null) {
            if (!mayDetach) {
                return false;
            }
            detachingNow = true;
            try {
                active.detach();
            } finally {
                detachingNow = false;
            }
            active = null;
        }
        activeKey = key;
        if (key.isEmpty()) {
            return true;
        }
        FrontEnd f = frontEnds.create(this, config.mode());
        if (f != null && f.attach(config.port())) {
            active = f;
            watch.schedule(kernel.callouts().hz());
        } else {
            retry.schedule(kernel.callouts().hz());
        }
        return true;
    }

    /** The watch callout: reattach when the listener went, else look again a second later. */
    private void watchListener() {
        FrontEnd f = active;
        if (f == null) {
            return;
        }
        if (f.alive()) {
            watch.schedule(kernel.callouts().hz());
        } else {
            settingChanged();
        }
    }

    /** Connections the running front end holds; 0 when none runs. */
    public int connections() {
        feLock.enter();
        try {
            return active == null ? 0 : active.connections();
        } finally {
            feLock.exit();
        }
    }

    /** Whether a front end serves the port now, on a listener that still listens. */
    public boolean serving() {
        feLock.enter();
        try {
            return active != null && active.alive();
        } finally {
            feLock.exit();
        }
    }

    /**
     * Stops for {@code modunload} or halt: no new connections, held ones finished or released, service
     * threads ended. Idempotent.
     */
    void stop() {
        lock.enter();
        try {
            if (stopped) {
                return;
            }
            stopped = true;
        } finally {
            lock.exit();
        }
        Sockets sockets = kernel.service(Sockets.class);
        if (sockets != null) {
            sockets.unwatchListen(listenWatch);
        }
        retry.halt();
        watch.halt();
        feLock.enter();
        try {
            if (active != null) {
                active.detach();
                active = null;
            }
        } finally {
            feLock.exit();
        }
        service.stop();
        frontEnds.close(this);
    }
}
