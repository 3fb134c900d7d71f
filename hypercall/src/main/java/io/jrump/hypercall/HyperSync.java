package io.jrump.hypercall;

/** Factories for the host's synchronisation objects ({@code rumpuser_mutex_init} and friends). */
public interface HyperSync {
    HyperMutex newMutex();

    HyperRwLock newRwLock();

    HyperCondVar newCondVar();
}
