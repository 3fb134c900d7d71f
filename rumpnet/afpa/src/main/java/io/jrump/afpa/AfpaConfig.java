package io.jrump.afpa;

import io.jrump.kern.sysctl.Sysctl;
import io.jrump.kern.sysctl.SysctlNode;

/**
 * The accelerator's settings, the sysctl subtree {@code net.afpa} (issue 17: enable, port, docroot,
 * mode, cache size limit, largest cached object, worker count), all writable while it runs.
 *
 * <p>Each node's value check also tells the engine that a setting changed ({@link #onChange}), so that
 * {@code sysctl -w net.afpa.port=8080} moves the accelerator at once instead of at its next poll. The
 * check also records the value in force here, before {@link Sysctl#write} stores it in the node, so the
 * engine, called from that check, already reads the value being written.
 */
public final class AfpaConfig {
    /** The subtree's root. */
    public static final String ROOT = "net.afpa";
    public static final String HOOK = "hook";
    public static final String TDI = "tdi";
    static final int DEFAULT_PORT = 80;
    static final String DEFAULT_DOCROOT = "/var/www";
    static final long DEFAULT_CACHE_SIZE = 32L << 20;
    static final long DEFAULT_MAX_OBJECT = 8L << 20;
    static final int DEFAULT_WORKERS = 2;
    static final int MAX_WORKERS = 64;
    static final int DEFAULT_KEEPALIVE = 15;
    static final int DEFAULT_REVALIDATE_MS = 1000;

    private final SysctlNode enable;
    private final SysctlNode port;
    private final SysctlNode docroot;
    private final SysctlNode mode;
    private final SysctlNode cacheSize;
    private final SysctlNode maxObject;
    private final SysctlNode workers;
    private final SysctlNode idleTimeout;
    private final SysctlNode revalidate;
    private volatile Runnable onChange = () -> { };
    // the values in force, read without locks by the network softint (see changed)
    private volatile int enableV = 1;
    private volatile int portV = DEFAULT_PORT;
    private volatile String docrootV = DEFAULT_DOCROOT;
    private volatile String modeV = HOOK;
    private volatile long cacheSizeV = DEFAULT_CACHE_SIZE;
    private volatile long maxObjectV = DEFAULT_MAX_OBJECT;
    private volatile int workersV = DEFAULT_WORKERS;
    private volatile int idleTimeoutV = DEFAULT_KEEPALIVE;
    private volatile int revalidateV = DEFAULT_REVALIDATE_MS;

    AfpaConfig(Sysctl sysctl) {
        sysctl.node(ROOT, "AFPA in-kernel HTTP accelerator");
        enable = sysctl.createInt(ROOT + ".enable", "Serve HTTP in the kernel (0: pass every connection on)", 1,
                SysctlNode.READWRITE, v -> changed(v == 0 || v == 1, () -> enableV = (int) v));
        port = sysctl.createInt(ROOT + ".port", "TCP port the accelerator serves (1 to 65535)", DEFAULT_PORT,
                SysctlNode.READWRITE, v -> changed(v > 0 && v < 65536, () -> portV = (int) v));
        docroot = sysctl.createString(ROOT + ".docroot", "Document root, an absolute rump path",
                DEFAULT_DOCROOT, SysctlNode.READWRITE, s -> changed(validDocroot(s), () -> docrootV = s));
        mode = sysctl.createString(ROOT + ".mode", "Integration with the stack: hook (socket upcalls) or tdi"
                + " (transport events)", HOOK, SysctlNode.READWRITE, s -> changed(HOOK.equals(s) || TDI.equals(s), () -> modeV = s));
        cacheSize = sysctl.createQuad(ROOT + ".cache_size", "Cache memory limit in bytes (at least 131072)",
                DEFAULT_CACHE_SIZE, SysctlNode.READWRITE, v -> changed(v >= 128 << 10, () -> cacheSizeV = v));
        maxObject = sysctl.createQuad(ROOT + ".max_object", "Largest file cached, in bytes; larger ones go to"
                + " the user-level server", DEFAULT_MAX_OBJECT, SysctlNode.READWRITE, v -> changed(v >= 0, () -> maxObjectV = v));
        workers = sysctl.createInt(ROOT + ".workers", "Service kernel threads (1 to " + MAX_WORKERS + ")",
                DEFAULT_WORKERS, SysctlNode.READWRITE, v -> changed(v >= 1 && v <= MAX_WORKERS, () -> workersV = (int) v));
        idleTimeout = sysctl.createInt(ROOT + ".keepalive_timeout", "Seconds an idle keep-alive connection"
                + " is kept (1 to 3600)", DEFAULT_KEEPALIVE, SysctlNode.READWRITE, v -> changed(v >= 1 && v <= 3600, () -> idleTimeoutV = (int) v));
        revalidate = sysctl.createInt(ROOT + ".revalidate_ms", "Milliseconds a cached file is served without"
                + " checking it changed (0: check on every request)", DEFAULT_REVALIDATE_MS, SysctlNode.READWRITE,
                v -> changed(v >= 0 && v <= 3_600_000, () -> revalidateV = (int) v));
        enableV = enable.intValue();
        portV = port.intValue();
        docrootV = docroot.stringValue();
        modeV = mode.stringValue();
        cacheSizeV = cacheSize.longValue();
        maxObjectV = maxObject.longValue();
        workersV = workers.intValue();
        idleTimeoutV = idleTimeout.intValue();
        revalidateV = revalidate.intValue();
    }

    /** A docroot is an absolute, normalised rump path: no empty, {@code .} or {@code ..} component. */
    static boolean validDocroot(String s) {
        if (s == null || !s.startsWith("/") || s.indexOf('\0') >= 0 || s.indexOf('\\') >= 0) {
            return false;
        }
        if (s.equals("/")) {
            return true;
        }
        for (String p : s.substring(1).split("/", -1)) {
            if (p.isEmpty() || p.equals(".") || p.equals("..")) {
                return false;
            }
        }
        return true;
    }

    /**
     * A node's value check: records a valid value as the one in force, then tells the engine. The check
     * runs before the sysctl stores the value, under the node's monitor; keeping the value here lets the
     * engine act on it at once, in the writer's thread, without waiting for the store.
     */
    private boolean changed(boolean valid, Runnable record) {
        if (valid) {
            record.run();
            onChange.run();
        }
        return valid;
    }

    void onChange(Runnable r) {
        onChange = r;
    }

    /** Removes the subtree ({@code modunload}). */
    static void destroy(Sysctl sysctl) {
        sysctl.destroy(ROOT);
    }

    public boolean enabled() {
        return enableV != 0;
    }

    public int port() {
        return portV;
    }

    public String docroot() {
        String d = docrootV;
        return d.length() > 1 && d.endsWith("/") ? d.substring(0, d.length() - 1) : d;
    }

    public String mode() {
        return modeV;
    }

    public long cacheSize() {
        return cacheSizeV;
    }

    public long maxObject() {
        return maxObjectV;
    }

    public int workers() {
        return workersV;
    }

    public int revalidateMillis() {
        return revalidateV;
    }

    public int keepAliveTimeoutSeconds() {
        return idleTimeoutV;
    }
}
