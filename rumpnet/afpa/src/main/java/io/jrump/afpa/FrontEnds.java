package io.jrump.afpa;

import io.jrump.afpa.cache.AfpaCache;
import io.jrump.afpa.hook.HookFrontEnd;
import io.jrump.afpa.http.MimeTypes;
import io.jrump.afpa.tdi.TdiFrontEnd;
import io.jrump.kern.ErrnoException;

/**
 * Makes the front end a mode asks for and keeps what both modes share, the cache, so that switching
 * {@code net.afpa.mode} keeps the cached objects. One per kernel, owned by {@link Afpa}.
 */
class FrontEnds {
    private AfpaCache cache;
    private String docroot;
    /** The docroot last refused, reported once rather than on every retry. */
    private String refused;

    /**
     * Applies the cache settings ({@code docroot}, {@code cache_size}, {@code max_object},
     * {@code revalidate_ms}); service-thread context. The cache is made at the first call, so that an
     * accelerator loaded before rumpvfs has its root still boots. False while the docroot is no directory:
     * the accelerator then takes no connection, rather than answer 404 to every request.
     */
    boolean configure(Afpa afpa) {
        AfpaConfig c = afpa.config();
        if (cache == null) {
            cache = new AfpaCache(afpa.kernel(), c.cacheSize());
            cache.setContentTypes(MimeTypes::forPath);
            afpa.stats().gauges(cache::memoryInUse, cache::evictions);
        }
        cache.setSizeLimit(c.cacheSize());
        cache.setMaxObject(c.maxObject());
        cache.setRevalidateNanos(c.revalidateMillis() * 1_000_000L);
        String d = c.docroot();
        if (!d.equals(docroot)) {
            try {
                cache.setDocroot(d);
                docroot = d;
            } catch (ErrnoException e) {
                docroot = null;
                // The default docroot of a kernel that serves no site is no news; a docroot someone set is.
                if (!d.equals(AfpaConfig.DEFAULT_DOCROOT) && !d.equals(refused)) {
                    afpa.kernel().log("afpa: docroot " + d + ": " + e.getMessage());
                }
                refused = d;
            }
        }
        return docroot != null;
    }

    /** The shared cache; null before the first {@link #configure}. */
    AfpaCache cache() {
        return cache;
    }

    /** The front end for {@code mode}, not yet attached; null if the mode is not available. */
    FrontEnd create(Afpa afpa, String mode) {
        return switch (mode) {
            case AfpaConfig.HOOK -> new HookFrontEnd(afpa);
            case AfpaConfig.TDI -> new TdiFrontEnd(afpa);
            default -> null;
        };
    }

    /** Frees what the modes share (the cache's memory); after every front end has detached. */
    void close(Afpa afpa) {
        if (cache != null) {
            cache.close();
        }
    }
}
