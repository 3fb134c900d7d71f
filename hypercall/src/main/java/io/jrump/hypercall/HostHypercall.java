package io.jrump.hypercall;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntConsumer;

/**
 * The host implementation of {@link Hypercall} on the JVM and its operating system. Each part can be
 * replaced through the {@link Builder}: a test uses {@link #forTest(long)} for a manual clock and a
 * seeded random source.
 */
public final class HostHypercall implements Hypercall {
    private final HostParams params;
    private final HostMemory memory;
    private final HostThreads threads;
    private final HostSync sync;
    private final HyperClock clock;
    private final HyperRandom random;
    private final HostFiles files;
    private final HyperConsole console;
    private final IntConsumer exitHandler;
    private final boolean panicAborts;

    private HostHypercall(Builder b) {
        this.params = new HostParams(b.params, b.environment);
        this.memory = new HostMemory(b.memoryLimit);
        this.console = b.console != null ? b.console : new HostConsole(b.consoleStream);
        this.threads = new HostThreads((t, e) -> {
            if (!(e instanceof ThreadDeath)) {
                this.console.println("rumpuser: thread " + t.getName() + " died: " + e);
            }
        });
        this.clock = b.clock != null ? b.clock : new HostClock(threads);
        this.sync = new HostSync(clock);
        this.random = b.random != null ? b.random : new HostRandom();
        this.files = new HostFiles(threads);
        this.exitHandler = b.exitHandler;
        this.panicAborts = b.panicAborts;
    }

    /** A host hypercall layer with no memory limit, the host clock and the host's entropy. */
    public static HostHypercall create() {
        return builder().build();
    }

    /** A deterministic host for tests: a {@link ManualClock}, a {@link SeededRandom}, a {@link BufferConsole}. */
    public static HostHypercall forTest(long seed) {
        return builder().clock(new ManualClock()).random(new SeededRandom(seed)).console(new BufferConsole()).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A host clock for many kernels of one JVM to share ({@link Builder#clock}): the same time as each kernel's own,
     * but the timers of all of them run on one host thread instead of one thread per kernel, which a JVM hosting
     * thousands of kernels needs ({@link HostTimerThread} says why). A callout that runs long, or waits for its
     * kernel's CPU, delays the other kernels' callouts, as on one CPU.
     */
    public static HyperClock sharedClock() {
        return new HostClock();
    }

    @Override
    public int version() {
        return VERSION;
    }

    @Override
    public HyperParams params() {
        return params;
    }

    @Override
    public HyperMemory memory() {
        return memory;
    }

    @Override
    public HyperThreads threads() {
        return threads;
    }

    @Override
    public HyperSync sync() {
        return sync;
    }

    @Override
    public HyperClock clock() {
        return clock;
    }

    @Override
    public HyperRandom random() {
        return random;
    }

    @Override
    public HyperFiles files() {
        return files;
    }

    @Override
    public HyperConsole console() {
        return console;
    }

    @Override
    public void exit(int status) {
        exitHandler.accept(status);
    }

    @Override
    public KernelPanic panic(String message) {
        console.println("panic: " + message);
        if (panicAborts) {
            Runtime.getRuntime().halt(134);
        }
        return new KernelPanic(message);
    }

    @Override
    public void shutdown() {
        files.shutdown();
    }

    /** Chooses the parts of a {@link HostHypercall}. */
    public static final class Builder {
        private final Map<String, String> params = new HashMap<>();
        private Map<String, String> environment = System.getenv();
        private long memoryLimit = Long.MAX_VALUE;
        private HyperClock clock;
        private HyperRandom random;
        private HyperConsole console;
        private PrintStream consoleStream = System.out;
        private IntConsumer exitHandler = status -> { };
        private boolean panicAborts;

        private Builder() {
        }

        /** Sets a parameter that {@link HyperParams#get} returns before looking at the host. */
        public Builder param(String name, String value) {
            params.put(Objects.requireNonNull(name), Objects.requireNonNull(value));
            return this;
        }

        /** Replaces the host environment consulted for {@code RUMP_*} names (tests pass an empty map). */
        public Builder environment(Map<String, String> env) {
            this.environment = Map.copyOf(env);
            return this;
        }

        public Builder memoryLimit(long bytes) {
            this.memoryLimit = bytes;
            return this;
        }

        public Builder clock(HyperClock c) {
            this.clock = c;
            return this;
        }

        public Builder random(HyperRandom r) {
            this.random = r;
            return this;
        }

        public Builder console(HyperConsole c) {
            this.console = c;
            return this;
        }

        public Builder consoleStream(PrintStream s) {
            this.consoleStream = Objects.requireNonNull(s);
            return this;
        }

        /** What {@link Hypercall#exit} does; by default nothing, since one JVM may host many kernels. */
        public Builder exitHandler(IntConsumer h) {
            this.exitHandler = Objects.requireNonNull(h);
            return this;
        }

        /** Whether a panic ends the whole process, as it does for a rump_server serving one kernel. */
        public Builder panicAborts(boolean abort) {
            this.panicAborts = abort;
            return this;
        }

        public HostHypercall build() {
            return new HostHypercall(this);
        }
    }
}
