package io.jrump.afpa;

/**
 * How the accelerator meets the stack: {@code hook} mode (the Linux seed, socket upcalls and buffer-free
 * hooks) or {@code tdi} mode (the Windows 2000 seed, transport-driver events and pin arrays). Both serve
 * the same cache and counters; {@link Afpa} runs one at a time on the configured port.
 */
public interface FrontEnd {
    /**
     * Starts serving {@code port}: connections that complete from now on are the accelerator's to
     * serve or pass on. Runs on a service thread. False if the port cannot be taken now (no listener
     * there yet, in hook mode): the engine tries again when a setting changes or a listener appears.
     */
    boolean attach(int port);

    /**
     * Stops taking new connections and lets go of the ones held: an idle connection, or one whose
     * request has not been answered, goes to the user-level server with its bytes; a response being
     * sent finishes first (issue 17: unloading under load loses no connection). Returns once nothing of
     * the accelerator refers to any socket. Runs in thread context.
     */
    void detach();

    /** Connections the accelerator holds now; for tests and the unload path. */
    int connections();
}
