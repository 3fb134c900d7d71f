package io.jrump.rumpnio;

import io.jrump.kern.file.Poll;
import java.nio.channels.SelectionKey;

/**
 * How a TCP channel's interest set maps to {@code poll} events and the events back to ready operations, as
 * the JDK's channels translate them: read interest is POLLIN, write and connect interest POLLOUT; POLLOUT
 * means connectable while a connection is pending and writable once it is up; an error or hang-up makes
 * every operation of interest ready, so that the program's next call reports it; POLLNVAL (a descriptor
 * already gone) makes none ready.
 */
final class Readiness {
    private Readiness() {
    }

    static int streamEvents(int ops) {
        int ev = 0;
        if ((ops & SelectionKey.OP_READ) != 0) {
            ev |= Poll.POLLIN;
        }
        if ((ops & (SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT)) != 0) {
            ev |= Poll.POLLOUT;
        }
        return ev;
    }

    static int streamReady(int revents, int interest, boolean connected, boolean pending) {
        if ((revents & Poll.POLLNVAL) != 0) {
            return 0;
        }
        if ((revents & (Poll.POLLERR | Poll.POLLHUP)) != 0) {
            return interest;
        }
        int ops = 0;
        if ((revents & Poll.POLLIN) != 0 && connected) {
            ops |= SelectionKey.OP_READ;
        }
        if ((revents & Poll.POLLOUT) != 0) {
            ops |= pending ? SelectionKey.OP_CONNECT : connected ? SelectionKey.OP_WRITE : 0;
        }
        return ops & interest;
    }
}
