package io.jrump.kern;

import io.jrump.kern.module.ComponentRegistry;
import io.jrump.hypercall.Hypercall;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How to boot a kernel: what {@code rump_server -c -r -l} says, plus the hypercall layer to run on.
 * Unset values come from the hypercall parameters ({@code RUMP_NCPU}, {@code RUMP_MEMLIMIT},
 * {@code _RUMPUSER_HOSTNAME}), as {@code rump_init} reads them.
 */
public final class KernelConfig {
    final int ncpu;
    final long memoryLimit;
    final List<String> components;
    final String hostname;
    final Hypercall hypercall;
    final ComponentRegistry registry;
    final int hz;
    final boolean verbose;
    final int maxFilesPerProc;

    private KernelConfig(Builder b) {
        this.ncpu = b.ncpu;
        this.memoryLimit = b.memoryLimit;
        this.components = List.copyOf(b.components);
        this.hostname = b.hostname;
        this.hypercall = b.hypercall;
        this.registry = b.registry;
        this.hz = b.hz;
        this.verbose = b.verbose;
        this.maxFilesPerProc = b.maxFilesPerProc;
    }

    public static Builder builder() {
        return new Builder();
    }

    public List<String> components() {
        return components;
    }

    /** Parses a size such as {@code 64m}, {@code 512k}, {@code 1g} or plain bytes ({@code rump_server -r}). */
    public static long parseSize(String s) {
        String t = s.trim().toLowerCase(java.util.Locale.ROOT);
        if (t.isEmpty()) {
            throw new IllegalArgumentException("empty size");
        }
        long mult = 1;
        char last = t.charAt(t.length() - 1);
        if (last == 'k' || last == 'm' || last == 'g') {
            mult = last == 'k' ? 1L << 10 : last == 'm' ? 1L << 20 : 1L << 30;
            t = t.substring(0, t.length() - 1);
        }
        long v;
        try {
            v = Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a size: '" + s + "' (use a number with k, m or g)");
        }
        if (v <= 0 || v > Long.MAX_VALUE / mult) {
            throw new IllegalArgumentException("size out of range: '" + s + "'");
        }
        return v * mult;
    }

    /** Builds a {@link KernelConfig}. */
    public static final class Builder {
        private int ncpu;
        private long memoryLimit;
        private final List<String> components = new ArrayList<>();
        private String hostname;
        private Hypercall hypercall;
        private ComponentRegistry registry;
        private int hz = 100;
        private boolean verbose;
        private int maxFilesPerProc = 1024;

        private Builder() {
        }

        /** Virtual CPUs ({@code -c}); 0 means the host's count. */
        public Builder ncpu(int n) {
            if (n < 0 || n > 256) {
                throw new IllegalArgumentException("ncpu must be 1..256, not " + n);
            }
            this.ncpu = n;
            return this;
        }

        /** Kernel memory limit in bytes ({@code -r}); 0 means none. */
        public Builder memoryLimit(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("negative memory limit");
            }
            this.memoryLimit = bytes;
            return this;
        }

        /** Adds components to link ({@code -l}); their requirements come along. */
        public Builder component(String... names) {
            for (String n : names) {
                components.add(Objects.requireNonNull(n));
            }
            return this;
        }

        public Builder hostname(String h) {
            this.hostname = h;
            return this;
        }

        public Builder hypercall(Hypercall hc) {
            this.hypercall = hc;
            return this;
        }

        /** The components to choose from; by default, what {@link java.util.ServiceLoader} finds. */
        public Builder registry(ComponentRegistry r) {
            this.registry = r;
            return this;
        }

        /** Clock ticks per second ({@code kern.hz}). */
        public Builder hz(int hz) {
            if (hz < 10 || hz > 10_000) {
                throw new IllegalArgumentException("hz must be 10..10000, not " + hz);
            }
            this.hz = hz;
            return this;
        }

        /** Print the boot log on the console ({@code -v}). */
        public Builder verbose(boolean v) {
            this.verbose = v;
            return this;
        }

        public Builder maxFilesPerProc(int n) {
            this.maxFilesPerProc = n;
            return this;
        }

        public KernelConfig build() {
            return new KernelConfig(this);
        }
    }
}
