package io.jrump.sysproxy;

import io.jrump.hypercall.sp.SpUrl;
import java.io.Closeable;
import java.io.IOException;

/**
 * The listening half of a transport. {@link #wakeup} must release a thread blocked in {@link #accept},
 * which each transport does its own way; {@link #close} then frees the socket once that thread is gone.
 */
interface Listener extends Closeable {
    /** The next connection, or null if woken without one; throws once closed. */
    Accepted accept() throws IOException;

    /** Makes a blocked and every later {@link #accept} fail. */
    void wakeup() throws IOException;

    /** The address clients use, with the port filled in if 0 was asked for. */
    SpUrl url();
}
