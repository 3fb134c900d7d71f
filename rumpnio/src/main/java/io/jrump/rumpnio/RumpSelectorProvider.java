package io.jrump.rumpnio;

import io.jrump.kern.BootException;
import io.jrump.kern.Cred;
import io.jrump.kern.Kernel;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.rumpclient.RumpClient;
import java.io.IOException;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link SelectorProvider} whose channels and selectors are a rump kernel's sockets and {@code poll}:
 * Java's counterpart of NetBSD's {@code rumphijack}. A NIO program that has never heard of jrump (the
 * JDK's {@code HttpServer} and {@code HttpClient}, Netty's NIO transport) then talks TCP/IP through the
 * rump kernel's stack, in-process or in a {@code rump_server} reached through {@code RUMP_SERVER}.
 *
 * <h2>Choosing it</h2>
 * Without code changes: {@code -Djava.nio.channels.spi.SelectorProvider=io.jrump.rumpnio.RumpSelectorProvider}
 * makes it the JVM's provider, and one of these says which kernel (the first that is set wins):
 * <ol>
 *   <li>{@code -Drumpnio.kernel="-lrumpnet_netinet -c 2 -r 64m"}: boot a kernel in this JVM with
 *       {@code rump_server}'s flags ({@code -c ncpu}, {@code -r memlimit}, {@code -l component},
 *       {@code -m module}, {@code -v}); without {@code -l} it links {@code rumpnet_netinet};</li>
 *   <li>{@code -Drumpnio.server=unix:///tmp/rumpsock}: a remote kernel, as a client of that server;</li>
 *   <li>the environment variable {@code RUMPNIO_KERNEL} (boot flags), then {@code RUMP_SERVER} (a URL).</li>
 * </ol>
 * The kernel is booted or connected on first use, not when the JVM loads the provider. Programmatically,
 * {@link #of(Kernel)}, {@link #of(Syscalls)}, {@link #boot(String)} and {@link #connect(String)} make
 * providers that code hands to frameworks that take one (Netty's {@code NioIoHandler.newFactory(provider)},
 * {@code new NioServerSocketChannel(provider)}); that is how one JVM runs programs on different kernels,
 * since the JVM-wide provider is chosen once.
 *
 * <h2>What it does not cover</h2>
 * Only IPv4 ({@code StandardProtocolFamily.INET}); channels for UNIX-domain addresses and
 * {@link #inheritedChannel()} are the JDK's own, and a rump selector cannot select them. Datagram
 * channels have no multicast. {@code java.net.Socket} and {@code ServerSocket} made with
 * {@code new} do not go through any provider in Java 17; {@link RumpSockets} makes ones that do.
 */
public class RumpSelectorProvider extends SelectorProvider {
    /** System property: boot flags for an in-process kernel. */
    public static final String KERNEL_PROPERTY = "rumpnio.kernel";
    /** System property: a rump server's URL. */
    public static final String SERVER_PROPERTY = "rumpnio.server";
    /** Environment variable: boot flags for an in-process kernel. */
    public static final String KERNEL_ENV = "RUMPNIO_KERNEL";
    /** Gathering writes of up to this many bytes in all are gathered into one buffer and one call. */
    static final int GATHER_LIMIT = 32 << 10;

    /**
     * Set on a thread while it runs code on behalf of the kernel or its client library (see
     * {@link GuardedSyscalls}): channels opened there are the JDK's, which is what such code means.
     */
    private static final ThreadLocal<Boolean> HOST_CHANNELS = new ThreadLocal<>();

    private final Map<String, String> env;
    private volatile Backend backend;
    private final ThreadLocal<ByteBuffer> gather = ThreadLocal.withInitial(() -> ByteBuffer.allocate(GATHER_LIMIT));

    /** What the provider runs on. */
    private record Backend(Syscalls sys, Kernel kernel, boolean ownsKernel, RumpClient client, boolean ownsClient) {
    }

    /**
     * The JVM-wide provider ({@code -Djava.nio.channels.spi.SelectorProvider}): the kernel comes from
     * the system properties or the environment, on first use.
     */
    public RumpSelectorProvider() {
        this.env = System.getenv();
    }

    private RumpSelectorProvider(Backend b) {
        this.env = Map.of();
        this.backend = b;
    }

    /**
     * A provider on a process's system calls: {@code kernel.syscalls()}, a {@code Proc}'s, or a
     * {@link RumpClient} (whose calls then run where an interrupt cannot reach its connection).
     */
    public static RumpSelectorProvider of(Syscalls sys) {
        Objects.requireNonNull(sys);
        if (sys instanceof RumpClient c) {
            return new RumpSelectorProvider(new Backend(GuardedSyscalls.isolated(c, "remote"), null, false, c, false));
        }
        return new RumpSelectorProvider(new Backend(sys, null, false, null, false));
    }

    /** A provider that is a new process (root) of {@code kernel}, with a descriptor table of its own. */
    public static RumpSelectorProvider of(Kernel kernel) {
        Syscalls sys = kernel.newProcess("java", Cred.ROOT).syscalls();
        return new RumpSelectorProvider(new Backend(sys, kernel, false, null, false));
    }

    /** Boots a kernel in this JVM from {@code rump_server}'s flags; {@link #close()} halts it. */
    public static RumpSelectorProvider boot(String flags) throws IOException {
        Kernel k;
        try {
            k = BootFlags.parse(flags).boot();
        } catch (BootException e) {
            throw new IOException("rumpnio: boot failed: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IOException("rumpnio: " + e.getMessage() + " (" + BootFlags.USAGE + ")", e);
        }
        return new RumpSelectorProvider(new Backend(k.newProcess("java", Cred.ROOT).syscalls(), k, true, null, false));
    }

    /** Connects to the rump server at {@code url} as a new client process; {@link #close()} disconnects. */
    public static RumpSelectorProvider connect(String url) throws IOException {
        boolean was = hostChannels(true);
        try {
            RumpClient c = RumpClient.connect(url, "java");
            return new RumpSelectorProvider(new Backend(GuardedSyscalls.isolated(c, "remote"), null, false, c, true));
        } finally {
            hostChannels(was);
        }
    }

    /** The JDK's own provider, whatever the JVM-wide one is (see {@link JdkProvider}). */
    public static SelectorProvider jdk() {
        return JdkProvider.get();
    }

    /** Sets whether this thread's channels are the host's; returns the previous setting. */
    static boolean hostChannels(boolean on) {
        boolean was = HOST_CHANNELS.get() != null;
        if (on) {
            HOST_CHANNELS.set(Boolean.TRUE);
        } else {
            HOST_CHANNELS.remove();
        }
        return was;
    }

    private static boolean onHostThread() {
        return HOST_CHANNELS.get() != null;
    }

    // ---- the backend ----

    private Backend backend() throws IOException {
        Backend b = backend;
        if (b != null) {
            return b;
        }
        synchronized (this) {
            if (backend == null) {
                backend = fromSettings();
            }
            return backend;
        }
    }

    private Backend fromSettings() throws IOException {
        String flags = System.getProperty(KERNEL_PROPERTY);
        String url = System.getProperty(SERVER_PROPERTY);
        if (flags == null && url == null) {
            flags = env.get(KERNEL_ENV);
            if (flags == null) {
                url = env.get(RumpClient.RUMP_SERVER);
            }
        }
        boolean was = hostChannels(true);
        try {
            if (flags != null) {
                RumpSelectorProvider p = boot(flags);
                Backend b = p.backend;
                return b.kernel.modules().stat().stream().anyMatch(m -> m.name().equals("rumpnet_sockin"))
                        ? new Backend(GuardedSyscalls.hostChannels(b.sys), b.kernel, true, null, false) : b;
            }
            if (url != null && !url.isBlank()) {
                return connect(url.trim()).backend;
            }
        } finally {
            hostChannels(was);
        }
        throw new IOException("rumpnio: no kernel chosen: set -D" + KERNEL_PROPERTY + "=\"-lrumpnet_netinet\" (boot one "
                + "in this JVM), -D" + SERVER_PROPERTY + "=URL, or the environment variable " + KERNEL_ENV + " or "
                + RumpClient.RUMP_SERVER);
    }

    /** The system calls of the process this provider's channels live in (booting or connecting first). */
    public Syscalls syscalls() {
        try {
            return backend().sys;
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** The in-process kernel, if the provider runs on one (not through {@code RUMP_SERVER}). */
    public Optional<Kernel> kernel() throws IOException {
        return Optional.ofNullable(backend().kernel);
    }

    /**
     * Halts the kernel this provider booted ({@link #boot}), or disconnects from the server it connected to
     * ({@link #connect}); a provider on a kernel or client someone else made leaves it alone.
     */
    public void close() {
        Backend b = backend;
        if (b == null) {
            return;
        }
        if (b.sys instanceof GuardedSyscalls g) {
            g.shutdown();
        }
        if (b.ownsClient) {
            b.client.close();
        }
        if (b.ownsKernel) {
            b.kernel.halt();
        }
    }

    ByteBuffer gatherBuffer() {
        return gather.get();
    }

    // ---- SelectorProvider ----

    @Override
    public DatagramChannel openDatagramChannel() throws IOException {
        if (onHostThread()) {
            return jdk().openDatagramChannel();
        }
        backend();
        return new RumpDatagramChannel(this);
    }

    @Override
    public DatagramChannel openDatagramChannel(ProtocolFamily family) throws IOException {
        if (onHostThread()) {
            return jdk().openDatagramChannel(family);
        }
        inet(family);
        return openDatagramChannel();
    }

    @Override
    public Pipe openPipe() throws IOException {
        if (onHostThread()) {
            return jdk().openPipe();
        }
        backend();
        return RumpPipe.open(this);
    }

    @Override
    public AbstractSelector openSelector() throws IOException {
        if (onHostThread()) {
            return jdk().openSelector();
        }
        backend();
        return new RumpSelector(this);
    }

    @Override
    public ServerSocketChannel openServerSocketChannel() throws IOException {
        if (onHostThread()) {
            return jdk().openServerSocketChannel();
        }
        backend();
        return new RumpServerSocketChannel(this);
    }

    @Override
    public ServerSocketChannel openServerSocketChannel(ProtocolFamily family) throws IOException {
        if (family == StandardProtocolFamily.UNIX || onHostThread()) {
            return jdk().openServerSocketChannel(family);
        }
        inet(family);
        return openServerSocketChannel();
    }

    @Override
    public SocketChannel openSocketChannel() throws IOException {
        if (onHostThread()) {
            return jdk().openSocketChannel();
        }
        backend();
        return new RumpSocketChannel(this);
    }

    @Override
    public SocketChannel openSocketChannel(ProtocolFamily family) throws IOException {
        if (family == StandardProtocolFamily.UNIX || onHostThread()) {
            return jdk().openSocketChannel(family);
        }
        inet(family);
        return openSocketChannel();
    }

    private static void inet(ProtocolFamily family) {
        Objects.requireNonNull(family);
        if (family != StandardProtocolFamily.INET) {
            throw new UnsupportedOperationException("Protocol family not supported: the rump stack has no "
                    + family + " sockets");
        }
    }

    /** Inherited descriptors are the host's: the JDK's provider answers. */
    @Override
    public Channel inheritedChannel() throws IOException {
        return jdk().inheritedChannel();
    }

    @Override
    public String toString() {
        Backend b = backend;
        return "RumpSelectorProvider[" + (b == null ? "not started" : b.client != null ? b.client.url()
                : b.kernel != null ? "kernel " + b.kernel.hostname() : "syscalls " + b.sys) + "]";
    }
}
