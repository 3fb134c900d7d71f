package io.jrump.kern;

import java.util.Set;

/**
 * A separately linkable piece of kernel code, like a NetBSD {@code librump*.so} with its
 * {@code RUMP_COMPONENT} constructors. Implementations are found through {@link java.util.ServiceLoader}
 * ({@code META-INF/services/io.jrump.kern.Component}), so a kernel contains exactly the components whose
 * jars are on the class path and whose names it was asked for.
 *
 * <p>One instance may serve many kernels in one JVM: an implementation keeps no per-kernel state in
 * its fields; {@link #attach} stores what it creates in the kernel ({@link Kernel#registerService}).
 */
public interface Component {
    /** The NetBSD-style name, such as {@code rumpnet_netinet}. */
    String name();

    ComponentLevel level();

    /** Names of components that must attach before this one; booting pulls them in. */
    default Set<String> requires() {
        return Set.of();
    }

    /**
     * Capabilities this component provides, such as {@code "inet domain"}. Two components that provide
     * the same capability cannot be in one kernel (NetBSD's sockin and netinet).
     */
    default Set<String> provides() {
        return Set.of();
    }

    /** One line for {@code modstat}: what this component is. */
    default String description() {
        return "";
    }

    /** Attaches to a kernel that is booting, or that is running when loaded as a module. */
    void attach(Kernel kernel) throws BootException;

    /**
     * Whether {@link #detach} may be called on a running kernel ({@code modunload}). Components that
     * the kernel cannot run without say no.
     */
    default boolean unloadable() {
        return false;
    }

    /** Undoes {@link #attach}; called for {@code modunload} and at halt, in reverse attach order. */
    default void detach(Kernel kernel) {
    }
}
