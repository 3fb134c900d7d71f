package io.jrump.afpa;

import io.jrump.kern.sysctl.Sysctl;
import io.jrump.kern.sysctl.SysctlNode;

/**
 * The accelerator's settings, the sysctl subtree {@code net.afpa} (issue 17: enable, port, docroot,
 * mode, cache size limit, largest cached object, worker count), all writable while it runs.
 *
 * <p>Each node's value check also tells the engine that a setting changed ({@link #onChange}), so that
 * {@code sysctl -w net.afpa.port=8080} moves the accelerator at once instead of at its next poll; the
 * engine reads the node afterwards, from its service thread, under the node's monitor (the one
 * {@link Sysctl#write} holds while it stores), so it sees the value just written.
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

    AfpaConfig(Sysctl sysctl) {
        sysctl.node(ROOT, "AFPA in-kernel HTTP accelerator");
        enable = sysctl.createInt(ROOT + ".enable", "Serve HTTP in the kernel (0: pass every connection on)", 1,
                SysctlNode.READWRITE, v -> changed(v == 0 || v == 1));
        port = sysctl.createInt(ROOT + ".port", "TCP port the accelerator serves (1 to 65535)", DEFAULT_PORT,
                SysctlNode.READWRITE, v -> changed(v > 0 && v < 65536));
        docroot = sysctl.createString(ROOT + ".docroot", "Document root, an absolute rump path",
                DEFAULT_DOCROOT, SysctlNode.READWRITE, s -> changed(validDocroot(s)));
        mode = sysctl.createString(ROOT + ".mode", "Integration with the stack: hook (socket upcalls) or tdi"
                + " (transport events)", HOOK, SysctlNode.READWRITE, s -> changed(HOOK.equals(s) || TDI.equals(s)));
        cacheSize = sysctl.createQuad(ROOT + ".cache_size", "Cache memory limit in bytes (at least 131072)",
                DEFAULT_CACHE_SIZE, SysctlNode.READWRITE, v -> changed(v >= 128 << 10));
        maxObject = sysctl.createQuad(ROOT + ".max_object", "Largest file cached, in bytes; larger ones go to"
                + " the user-level server", DEFAULT_MAX_OBJECT, SysctlNode.READWRITE, v -> changed(v >= 0));
        workers = sysctl.createInt(ROOT + ".workers", "Service kernel threads (1 to " + MAX_WORKERS + ")",
                DEFAULT_WORKERS, SysctlNode.READWRITE, v -> changed(v >= 1 && v <= MAX_WORKERS));
        idleTimeout = sysctl.createInt(ROOT + ".keepalive_timeout", "Seconds an idle keep-alive connection"
                + " is kept (1 to 3600)", 15, SysctlNode.READWRITE, v -> changed(v >= 1 && v <= 3600));
        revalidate = sysctl.createInt(ROOT + ".revalidate_ms", "Milliseconds a cached file is served without"
                + " checking it changed (0: check on every request)", 1000, SysctlNode.READWRITE,
                v -> changed(v >= 0 && v <= 3_600_000));
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

    private boolean changed(boolean valid) {
        if (valid) {
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
        synchronized (enable) {
            return enable.intValue() != 0;
        }
    }

    public int port() {
        synchronized (port) {
            return port.intValue();
        }
    }

    public String docroot() {
        synchronized (docroot) {
            String d = docroot.stringValue();
            return d.length() > 1 && d.endsWith("/") ? d.substring(0, d.length() - 1) : d;
        }
    }

    public String mode() {
        synchronized (mode) {
            return mode.stringValue();
        }
    }

    public long cacheSize() {
        synchronized (cacheSize) {
            return cacheSize.longValue();
        }
    }

    public long maxObject() {
        synchronized (maxObject) {
            return maxObject.longValue();
        }
    }

    public int workers() {
        synchronized (workers) {
            return workers.intValue();
        }
    }

    public int revalidateMillis() {
        synchronized (revalidate) {
            return revalidate.intValue();
        }
    }

    public int keepAliveTimeoutSeconds() {
        synchronized (idleTimeout) {
            return idleTimeout.intValue();
        }
    }
}
