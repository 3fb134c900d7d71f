package io.jrump.kern.syscall;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * One row of the syscall table, written on the {@link Syscalls} method that enters it: what a line of
 * NetBSD's {@code sys/kern/syscalls.master} says (number, name), which component establishes the
 * handler, and, through the method's signature, each argument's slot, kind and direction. The build's
 * annotation processor ({@code librump/makesyscalls}) reads these and writes {@link SyscallNumbers},
 * {@link SyscallStubs} and {@link SyscallRows}; see {@link Syscalls} for how the rest follows.
 *
 * <p>Arguments fill {@link SyscallArgs} slots in declaration order, after the {@link #op()} slot if
 * there is one: {@code int} and {@code long} parameters go to {@code i[k]}, everything else to
 * {@code o[k]}. A parameter the kernel only reads needs no mark; {@link Out} and {@link InOut} mark what
 * the kernel writes, which a remote call carries back.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Syscall {
    /** The number in NetBSD's {@code syscalls.master}; {@code SyscallNumbersTest} pins each one. */
    int number();

    /** NetBSD's name for the row ({@code __socket30}, not {@code socket}); also the SYS_ constant's suffix. */
    String name();

    /** The component whose attach establishes the handler ({@code rumpkern}, {@code rumpnet}, ...). */
    String component();

    /**
     * For a method that is one operation of a multiplexed call ({@code __sysctl}, {@code modctl}): the
     * operation code, passed in slot {@code i[0]}; the method's parameters follow from slot 1. Negative:
     * none.
     */
    int op() default -1;

    /** False for a call that never sleeps, which the remote server runs on its reading thread. */
    boolean sleeps() default true;

    /** The kernel halts once the call returns, so a remote caller may lose its connection before the reply. */
    boolean halts() default false;

    /** The kernel writes this argument and reads nothing from it (an address to fill, a buffer to read into). */
    @Documented
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.PARAMETER)
    @interface Out {
        /**
         * For a buffer: the kernel fills it in one call or fails (a sysctl table, ENOMEM if it does not
         * fit), so a remote call carries all of it, up to the protocol's table limit, where a read may
         * be short and moves at most the data limit per call.
         */
        boolean whole() default false;
    }

    /** The kernel reads this argument and may change it in place (a pollfd array, an ioctl argument). */
    @Documented
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.PARAMETER)
    @interface InOut {
    }

    /**
     * A row that has no method of its own because it takes another row's arguments, as
     * {@code sendmsg} and {@code recvmsg} without control data take {@code sendto}'s and
     * {@code recvfrom}'s. It is reached through {@link Syscalls#syscall}.
     */
    @Documented
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    @Repeatable(Aliases.class)
    @interface Alias {
        int number();

        String name();

        String component();

        /** The method whose arguments this row takes. */
        String argsOf();
    }

    /** The container of repeated {@link Alias} rows. */
    @Documented
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    @interface Aliases {
        Alias[] value();
    }
}
