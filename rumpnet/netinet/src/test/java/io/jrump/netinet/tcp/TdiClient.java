package io.jrump.netinet.tcp;

import io.jrump.kern.syscall.SockAddr;
import io.jrump.netinet.tdi.TdiAcceptRequest;
import io.jrump.netinet.tdi.TdiAddress;
import io.jrump.netinet.tdi.TdiConnection;
import io.jrump.netinet.tdi.TdiEventHandler;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufCopy;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A test's kernel client of the transport driver interface: it records every event and completion in
 * order as a line of text (what a test compares), accepts or declines connections as told, and keeps
 * the bytes it took. Events run on the kernel's softint threads, so its records are thread-safe.
 */
class TdiClient implements TdiEventHandler {
    /** Every event and completion, in the order they came. */
    final List<String> log = new CopyOnWriteArrayList<>();
    final List<TdiConnection> connections = new CopyOnWriteArrayList<>();
    /** Whether the connect event takes connections (an accept request) or declines them (null). */
    volatile boolean accept = true;
    /** Bytes the receive event takes: those up to the end of a request ("\r\n\r\n"), else none. */
    volatile boolean takeRequests = true;
    /** If set, a receive event passes the connection to the user instead of taking bytes. */
    volatile boolean passOnReceive;
    final ByteArrayOutputStream taken = new ByteArrayOutputStream();
    /** If set, a complete request is answered with this from the receive event, which then disconnects. */
    volatile String reply;
    volatile boolean abortAfterReply;

    @Override
    public TdiAcceptRequest connectEvent(TdiAddress address, SockAddr peer) {
        log.add("connect " + peer);
        if (!accept) {
            return null;
        }
        return new TdiAcceptRequest((req, c, errno) -> {
            log.add("accepted " + (c == null ? "-" : c.peer()) + " errno " + errno + " ctx " + req.context());
            if (c != null) {
                connections.add(c);
            }
        }, "ctx-" + peer.port);
    }

    @Override
    public int receiveEvent(TdiConnection c, Mbuf data, int indicated, int available) {
        byte[] all = MbufCopy.toBytes(data);
        if (all.length != available) {
            log.add("chain of " + all.length + " bytes for " + available + " available");
        }
        log.add("receive " + new String(all, indicated, available - indicated, java.nio.charset.StandardCharsets.ISO_8859_1)
                .replace("\r", "\\r").replace("\n", "\\n") + " (indicated " + indicated + ")");
        if (passOnReceive) {
            c.passToUser();
            return 0;
        }
        if (!takeRequests) {
            return 0;
        }
        String s = new String(all, java.nio.charset.StandardCharsets.ISO_8859_1);
        int end = s.lastIndexOf("\r\n\r\n");
        if (end < 0) {
            return 0;
        }
        synchronized (taken) {
            taken.write(all, 0, end + 4);
        }
        String r = reply;
        if (r != null) {
            byte[] b = r.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            int err = c.send(MbufCopy.fromBytes(c.socket().mbufs(), b, 0, b.length), this::sendDone, "reply");
            log.add("reply queued errno " + err);
            c.disconnect(abortAfterReply);
        }
        return end + 4;
    }

    @Override
    public void disconnectEvent(TdiConnection c, boolean abortive) {
        log.add("disconnect " + (abortive ? "abortive" : "graceful"));
    }

    /** A send completion that logs its context and errno. */
    void sendDone(TdiConnection c, Object ctx, int errno) {
        log.add("sent " + ctx + " errno " + errno);
    }

    TdiConnection only() {
        if (connections.size() != 1) {
            throw new AssertionError("expected one connection, have " + connections + "; log " + log);
        }
        return connections.get(0);
    }
}
