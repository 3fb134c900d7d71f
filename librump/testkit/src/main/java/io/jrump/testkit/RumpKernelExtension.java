package io.jrump.testkit;

import io.jrump.hypercall.HostHypercall;
import io.jrump.hypercall.ManualClock;
import io.jrump.hypercall.SeededRandom;
import io.jrump.kern.HaltReport;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.kern.syscall.Syscalls;
import java.lang.reflect.AnnotatedElement;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/** The JUnit 5 extension behind {@link RumpKernel}. */
public final class RumpKernelExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(RumpKernelExtension.class);

    private static RumpKernel settings(ExtensionContext ctx) {
        Optional<RumpKernel> m = ctx.getTestMethod().map(x -> x.getAnnotation(RumpKernel.class));
        if (m.isPresent()) {
            return m.get();
        }
        AnnotatedElement c = ctx.getRequiredTestClass();
        RumpKernel r = c.getAnnotation(RumpKernel.class);
        if (r == null) {
            throw new IllegalStateException("no @RumpKernel on " + c);
        }
        return r;
    }

    @Override
    public void beforeEach(ExtensionContext ctx) throws Exception {
        RumpKernel s = settings(ctx);
        HostHypercall.Builder hb = HostHypercall.builder().environment(Map.of());
        ManualClock clock = null;
        if (s.manualClock()) {
            clock = new ManualClock();
            hb.clock(clock).random(new SeededRandom(s.seed()));
        }
        KernelConfig.Builder kb = KernelConfig.builder().hypercall(hb.build()).ncpu(s.ncpu())
                .hostname(s.hostname()).component(s.components());
        if (!s.memoryLimit().isEmpty()) {
            kb.memoryLimit(KernelConfig.parseSize(s.memoryLimit()));
        }
        Kernel k = Kernel.boot(kb.build());
        ExtensionContext.Store store = ctx.getStore(NS);
        store.put(Kernel.class, k);
        if (clock != null) {
            store.put(ManualClock.class, clock);
        }
    }

    @Override
    public void afterEach(ExtensionContext ctx) {
        Kernel k = ctx.getStore(NS).remove(Kernel.class, Kernel.class);
        if (k == null) {
            return;
        }
        HaltReport r = k.halt();
        if (settings(ctx).requireCleanHalt() && !r.clean() && ctx.getExecutionException().isEmpty()) {
            throw new AssertionError("kernel did not halt cleanly: " + r);
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext ctx) {
        Class<?> t = p.getParameter().getType();
        return t == Kernel.class || t == ManualClock.class || t == Syscalls.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext ctx) {
        Class<?> t = p.getParameter().getType();
        ExtensionContext.Store store = ctx.getStore(NS);
        Kernel k = store.get(Kernel.class, Kernel.class);
        if (k == null) {
            throw new ParameterResolutionException("no kernel booted for this test");
        }
        if (t == Kernel.class) {
            return k;
        }
        if (t == Syscalls.class) {
            return k.syscalls();
        }
        ManualClock c = store.get(ManualClock.class, ManualClock.class);
        if (c == null) {
            throw new ParameterResolutionException("ManualClock needs @RumpKernel(manualClock = true)");
        }
        return c;
    }
}
