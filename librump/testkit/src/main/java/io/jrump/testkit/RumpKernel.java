package io.jrump.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Boots a rump kernel for each test and halts it afterwards: "test kernel code paths without booting"
 * in one annotation. The test receives the {@link io.jrump.kern.Kernel} (and, with
 * {@link #manualClock()}, the {@link io.jrump.hypercall.ManualClock}) as parameters. After the test,
 * the extension fails it if the kernel's halt report is not clean (a thread, pool item, descriptor or
 * byte of kernel memory left behind).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(RumpKernelExtension.class)
public @interface RumpKernel {
    /** Components to link (requirements come along). */
    String[] components() default {};

    int ncpu() default 1;

    /** Kernel memory limit, such as {@code "16m"}; empty for none. */
    String memoryLimit() default "";

    /** Run on a {@link io.jrump.hypercall.ManualClock} and a seeded random source. */
    boolean manualClock() default false;

    /** Seed for the random source when {@link #manualClock()} is set. */
    long seed() default 1;

    String hostname() default "testhost";

    /** Fail the test if the kernel does not halt cleanly. */
    boolean requireCleanHalt() default true;
}
