package io.jrump.hypercall;

/** {@code rumpuser_rw}: a readers-writer lock. */
public interface HyperRwLock {
    void enterRead();

    void enterWrite();

    boolean tryEnterRead();

    boolean tryEnterWrite();

    void exit();

    boolean writeHeld();
}
