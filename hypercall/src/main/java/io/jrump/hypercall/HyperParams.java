package io.jrump.hypercall;

import java.util.Optional;

/**
 * {@code rumpuser_getparam}: the few facts a kernel asks its host before it boots. Besides the names
 * below, any {@code RUMP_*} name (for example {@code RUMP_VERBOSE} or {@code RUMP_MEMLIMIT}) is looked
 * up in the parameters the host was given, then in the host's environment.
 */
public interface HyperParams {
    /** Number of virtual CPUs the host offers. */
    String NCPU = "_RUMPUSER_NCPU";
    /** The host name the kernel starts with. */
    String HOSTNAME = "_RUMPUSER_HOSTNAME";
    /** What the kernel runs on, such as {@code Java 17}, for {@code kern.version}. */
    String PLATFORM = "_RUMPUSER_PLATFORM";

    Optional<String> get(String name);
}
