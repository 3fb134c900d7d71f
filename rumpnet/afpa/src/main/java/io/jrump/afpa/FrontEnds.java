package io.jrump.afpa;

/**
 * Makes the front end a mode asks for and keeps what both modes share (the cache), so that switching
 * {@code net.afpa.mode} keeps the cached objects. One per kernel, owned by {@link Afpa}.
 */
class FrontEnds {
    /** Applies the cache settings ({@code cache_size}, {@code max_object}); service-thread context. */
    void configure(Afpa afpa) {
    }

    /** The front end for {@code mode}, not yet attached; null if the mode is not available. */
    FrontEnd create(Afpa afpa, String mode) {
        return null;
    }

    /** Frees what the modes share (the cache's memory); after every front end has detached. */
    void close(Afpa afpa) {
    }
}
