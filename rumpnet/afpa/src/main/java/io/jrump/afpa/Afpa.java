package io.jrump.afpa;

import io.jrump.afpa.cache.AfpaCache;
import io.jrump.afpa.http.HttpDate;
import io.jrump.afpa.http.HttpResponseHeader;
import io.jrump.kern.Kernel;
import io.jrump.kern.intr.Callout;
import io.jrump.kern.sync.KMutex;

/**
 * One kernel's accelerator (registered as its {@code Afpa} service while {@code rumpnet_afpa} is
 * attached): the settings, counters, service threads and the front end that the configured mode
 * calls for (the AFPA seeds: {@code ../shared/seeds/000_*} hook mode, {@code 001_*} tdi mode).
 *
 * <p>A change to any {@code net.afpa} setting queues a reconfiguration to the service threads, which
 * detaches the running front end when the port, mode or enable setting moved and attaches the new one;
 * so the sysctl writer never waits for connections to drain.
 */
public final class Afpa {
    /** The {@code Server} field of responses, the same from the user-level server. */
    public static final String SERVER = "jrump-afpa";

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
    private FrontEnd active;
    private String activeKey = "";
    private final HttpDate dates = new HttpDate();
    private volatile HttpResponseHeader headers;
    private volatile int headersTimeout;
    private boolean reconfigQueued;
    private boolean stopped;

    /** Builds the per-kernel state; the front-end factory chooses how each mode meets the stack. */
    Afpa(Kernel kernel, AfpaConfig config, FrontEnds frontEnds) {
        this.kernel = kernel;
        this.config = config;
        this.service = new ServiceThreads(kernel);
        this.lock = kernel.newMutex();
        this.feLock = kernel.newMutex();
        this.frontEnds = frontEnds;
        this.retry = kernel.callouts().create("afpa attach retry", this::settingChanged);
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

    /** Starts the service threads and the configured front end. */
    void start() {
        config.onChange(this::settingChanged);
        service.resize(config.workers());
        settingChanged();
    }

    /** Queues a reconfiguration unless one is queued already. Called from the sysctl writer. */
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
        service.resize(config.workers());
        boolean ready = frontEnds.configure(this);
        String key = config.enabled() && ready ? config.mode() + ":" + config.port() : "";
        if (config.enabled() && !ready) {
            // the docroot may appear later (a mount, a mkdir): look again a second later
            retry.schedule(kernel.callouts().hz());
        }
        feLock.enter();
        try {
            if (key.equals(activeKey) && (active != null || key.isEmpty())) {
                return;
            }
            if (active != null) {
                active.detach();
                active = null;
            }
            activeKey = key;
            if (key.isEmpty()) {
                return;
            }
            FrontEnd f = frontEnds.create(this, config.mode());
            if (f != null && f.attach(config.port())) {
                active = f;
            } else {
                retry.schedule(kernel.callouts().hz());
            }
        } finally {
            feLock.exit();
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

    /** Whether a front end serves the port now. */
    public boolean serving() {
        feLock.enter();
        try {
            return active != null;
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
        retry.halt();
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
