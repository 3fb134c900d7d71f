package io.jrump.hypercall;

import java.io.PrintStream;

/** A console on a host stream; lines from concurrent CPUs do not interleave within a line. */
final class HostConsole implements HyperConsole {
    private final PrintStream out;

    HostConsole(PrintStream out) {
        this.out = out;
    }

    @Override
    public void println(String line) {
        synchronized (out) {
            out.println(line);
        }
    }
}
