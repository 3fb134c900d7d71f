package io.jrump.rumpnet.mbuf;

/**
 * Gives caller-owned bytes back once no mbuf refers to them any more ({@code ext_free} of
 * {@code MEXTADD} in mbuf(9)). It runs exactly once, on whichever thread frees the last reference,
 * possibly at software-interrupt level after a transmission completed: this is the "buffer-free hook"
 * by which the AFPA accelerator learns that a chunk of a cached object has left and sends the next.
 *
 * <p>The {@code arg} lets one shared callback serve many buffers, so that handing out external storage
 * per packet needs no new lambda per packet.
 */
@FunctionalInterface
public interface ExtFree {
    void free(byte[] buf, int off, int len, Object arg);
}
