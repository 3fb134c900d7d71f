package io.jrump.kern.sched;

import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A key for data a component keeps per process ({@code proc_specific_key_create(9)}), so that a component
 * linked above the kernel core (the VFS with its current and root directories) gives each process state
 * without the core knowing its type. The key says how the data is made on first use, what a child gets at
 * {@code fork}, and how the data is given back when the process exits (the references it holds dropped).
 *
 * @param name   for diagnostics
 * @param init   makes the data for a process that has none yet
 * @param onFork the child's copy of its parent's data; null if children start from {@code init}
 * @param onExit releases the data when the process exits; null if there is nothing to release
 */
public record ProcSpecificKey<T>(String name, Function<Proc, T> init, UnaryOperator<T> onFork, Consumer<T> onExit) {
}
