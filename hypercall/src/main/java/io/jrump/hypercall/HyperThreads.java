package io.jrump.hypercall;

import java.util.List;

/**
 * Host threads ({@code rumpuser_thread_create}/{@code _join}) and the binding of a kernel lwp to the
 * host thread that runs it ({@code rumpuser_curlwpop}/{@code rumpuser_curlwp}).
 */
public interface HyperThreads {
    /** Starts {@code body} on a new host thread named {@code name}. */
    HyperThread create(String name, Runnable body);

    /** Threads created here that have not ended, for the kernel's report at halt. */
    List<String> liveThreadNames();

    /** Binds {@code lwp} to the calling host thread ({@code RUMPUSER_LWP_SET}), or unbinds with null. */
    void setCurLwp(Object lwp);

    /** The lwp bound to the calling host thread, or null. */
    Object curLwp();
}
