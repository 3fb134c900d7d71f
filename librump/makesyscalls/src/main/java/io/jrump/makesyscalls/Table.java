package io.jrump.makesyscalls;

import java.util.List;

/**
 * The syscall table as the processor reads it from the {@code @Syscall} methods: entries (one per
 * method, or per alias row), and the rows they enter, numbered as in NetBSD's {@code syscalls.master}.
 * Several entries share a row when a call is multiplexed by an operation code ({@code __sysctl}); the
 * row's argument slots are then the union of theirs, which the processor has checked agree.
 */
record Table(String pkg, String iface, List<Entry> entries, List<Row> rows) {
    /**
     * How an argument travels: a number in {@code i[k]}, a byte buffer, an array of byte buffers (an
     * iovec), or any other object by value.
     */
    enum Kind { INT, BUFFER, BUFFERS, VALUE }

    /** What the kernel does with an argument. */
    enum Dir { IN, OUT, INOUT }

    /**
     * One argument slot. {@code type} is the Java source spelling, {@code erased} its raw class;
     * {@code whole} marks a buffer the kernel fills in one call or fails ({@code @Syscall.Out(whole = true)}).
     */
    record Param(int slot, Kind kind, Dir dir, String name, String type, String erased, boolean whole) {
    }

    /**
     * One way into a row. {@code returns} is how the method turns the call into its result: "void",
     * "int", "long", or "result" (the {@code SyscallArgs.result} object, checked against
     * {@code resultType}, a list's element type when {@code list}).
     */
    record Entry(String method, int number, String name, String component, int op, boolean sleeps, boolean halts,
                 List<Param> params, String returnType, String returns, String resultType, boolean list,
                 List<String> thrown, boolean alias) {
    }

    /** One numbered row and the entries that reach it. */
    record Row(int number, String name, String component, boolean sleeps, boolean halts, List<Param> args,
               List<String> methods) {
    }
}
