package io.jrump.hypercall;

import java.util.ArrayList;
import java.util.List;

/** A console that keeps its lines, so a test can read what the kernel printed. */
public final class BufferConsole implements HyperConsole {
    private final List<String> lines = new ArrayList<>();

    @Override
    public synchronized void println(String line) {
        lines.add(line);
    }

    public synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    public synchronized String text() {
        return String.join("\n", lines);
    }
}
