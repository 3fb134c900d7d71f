package io.jrump.rumpnet.socket;

/**
 * A kernel consumer told when a socket starts listening, so that it can attach to the listener at once
 * instead of finding it by polling {@link Sockets#list()}. The AFPA accelerator (issue 17) puts its
 * accept hook ({@link SoAcceptHook}) on the user-level server's listener this way, before the first
 * connection completes.
 *
 * <p>Registered with {@link Sockets#watchListen}. Called by {@code listen(2)} after the socket listens,
 * in the caller's thread context (it may sleep), with no socket lock held; an exception it throws is
 * logged and does not fail the {@code listen}.
 */
@FunctionalInterface
public interface SoListenWatch {
    /** {@code so} listens now (or listened already and changed its backlog). */
    void listening(Socket so);
}
