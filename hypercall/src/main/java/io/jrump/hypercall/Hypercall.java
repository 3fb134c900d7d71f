package io.jrump.hypercall;

/**
 * The hypercall interface: the only way kernel code reaches the host.
 *
 * <p>It is grouped like NetBSD's {@code rumpuser.h} (parameters, memory, threads, synchronisation,
 * clocks, random numbers, files and block I/O, console, exit), so that a rump kernel can be moved to
 * another host, or to a deterministic test host, by swapping this one object. NetBSD's
 * {@code sys/rump/README.dirs} (seed 004) names this layer "rumpuser": everything below it is host,
 * everything above it is kernel.
 *
 * <p>An instance belongs to one kernel; nothing here is static, so many kernels share a JVM.
 */
public interface Hypercall {

    /**
     * The interface revision this jar implements. A kernel compares it with the revision it was built
     * for at boot ({@code rumpuser_init(RUMPUSER_VERSION, ...)}) and refuses to boot on a mismatch.
     */
    int VERSION = 1;

    /** The revision this host implementation provides. */
    int version();

    HyperParams params();

    HyperMemory memory();

    HyperThreads threads();

    HyperSync sync();

    HyperClock clock();

    HyperRandom random();

    HyperFiles files();

    HyperConsole console();

    /**
     * {@code rumpuser_exit}: the kernel asks the host to end it with a status. What "end" means is the
     * host's choice: a rump_server process exits, a test host records the status.
     */
    void exit(int status);

    /**
     * {@code rumpuser_exit(RUMPUSER_PANIC)}: prints the message on the console and returns the error
     * for the caller to throw, so that a panic unwinds the kernel thread that hit it. A host that
     * serves one kernel per process may abort the process instead.
     */
    KernelPanic panic(String message);

    /**
     * The kernel has halted: stop the host service threads this hypercall layer started on its behalf
     * (block I/O workers). Timers are closed by their owners.
     */
    void shutdown();
}
