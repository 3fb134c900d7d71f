package io.jrump.net;

import io.jrump.kern.ErrnoException;

/**
 * An interface cloner ({@code if_clone}): makes {@code shmif0}, {@code virt1}, ... on
 * {@code ifconfig NAME create}. Components that provide a kind of interface register one.
 */
public interface IfCloner {
    /** The name prefix, such as {@code "shmif"}. */
    String prefix();

    /** Creates and attaches unit {@code unit}; the cloner picks type, MAC, MTU and driver. */
    Ifnet create(Interfaces ifs, int unit) throws ErrnoException;

    /** Called after the interface is detached; release what {@link #create} took. */
    default void destroyed(Ifnet ifp) {
    }
}
