package io.jrump.hypercall;

/**
 * Completion routine of an asynchronous block I/O ({@code rumpuser_bio}'s {@code biodone} callback):
 * called once, on a host I/O thread, with the bytes moved or an errno.
 */
@FunctionalInterface
public interface BioDone {
    void done(int bytes, int errno);
}
