package io.jrump.hypercall;

/** {@code rumpuser_putchar} and {@code rumpuser_dprintf}: the kernel's console. */
public interface HyperConsole {
    /** Writes one line (a newline is added). */
    void println(String line);
}
