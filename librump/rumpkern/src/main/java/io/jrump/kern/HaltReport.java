package io.jrump.kern;

import java.util.List;

/**
 * What a kernel left behind when it halted: host threads still running, kernel memory still charged,
 * pool items never returned, descriptors still open. A clean halt has all of them empty or zero; a
 * test that boots and halts kernels checks {@link #clean()}.
 */
public record HaltReport(String hostname, List<String> threadsLeft, long bytesLeft,
                         List<String> poolsWithItemsOut, int openFiles, long haltNanos) {

    public boolean clean() {
        return threadsLeft.isEmpty() && bytesLeft == 0 && poolsWithItemsOut.isEmpty() && openFiles == 0;
    }

    @Override
    public String toString() {
        if (clean()) {
            return hostname + ": halted cleanly in " + haltNanos / 1000 + " us";
        }
        StringBuilder sb = new StringBuilder(hostname + ": halted with leftovers:");
        if (!threadsLeft.isEmpty()) {
            sb.append("\n  threads still running: ").append(String.join(", ", threadsLeft));
        }
        if (bytesLeft != 0) {
            sb.append("\n  kernel memory still allocated: ").append(bytesLeft).append(" bytes");
        }
        if (!poolsWithItemsOut.isEmpty()) {
            sb.append("\n  pools with items out: ").append(String.join(", ", poolsWithItemsOut));
        }
        if (openFiles != 0) {
            sb.append("\n  open descriptors: ").append(openFiles);
        }
        return sb.toString();
    }
}
