package io.jrump.rumpnio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.kern.syscall.Syscalls;
import io.jrump.testkit.Probes;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Many channels on one selector, and thousands of connections coming and going in an order drawn from a
 * fixed seed, with nothing left behind: no key, no descriptor in the process, no socket in the kernel that
 * is not on its way out, and every kernel halting clean.
 */
class SelectorStressTest {
    /** The descriptors process {@code sys} holds for sockets, from {@code kern.sockets} (fd column). */
    static List<String> socketsOf(Syscalls sys) throws Exception {
        int pid = sys.getpid();
        List<String> out = new ArrayList<>();
        for (String line : sys.sysctlRead("kern.sockets").split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 3 && f[1].equals(Integer.toString(pid)) && !f[3].equals("-")) {
                out.add(line.trim());
            }
        }
        return out;
    }

    @Test
    void tenThousandChannelsOnOneSelector() throws Exception {
        try (HubNet net = new HubNet()) {
            RumpSelectorProvider p = RumpSelectorProvider.of(net.boot());
            List<DatagramChannel> chans = new ArrayList<>();
            Selector sel = p.openSelector();
            List<SelectionKey> keys = new ArrayList<>();
            try {
                for (int i = 0; i < 10_000; i++) {
                    DatagramChannel c = p.openDatagramChannel();
                    chans.add(c);
                    c.bind(new InetSocketAddress("127.0.0.1", 0));
                    c.configureBlocking(false);
                    keys.add(c.register(sel, SelectionKey.OP_READ, i));
                }
                assertEquals(0, sel.selectNow());
                assertEquals(10_000, sel.keys().size());
                Random rnd = new Random(10_000);
                Set<Integer> chosen = new HashSet<>();
                while (chosen.size() < 5) {
                    chosen.add(rnd.nextInt(chans.size()));
                }
                try (DatagramChannel sender = p.openDatagramChannel()) {
                    for (int i : chosen) {
                        sender.send(ByteBuffer.wrap(new byte[] {(byte) i}), chans.get(i).getLocalAddress());
                    }
                }
                Set<Integer> seen = new HashSet<>();
                while (seen.size() < chosen.size()) {
                    sel.select();
                    for (Iterator<SelectionKey> it = sel.selectedKeys().iterator(); it.hasNext(); ) {
                        SelectionKey k = it.next();
                        it.remove();
                        assertTrue(k.isReadable());
                        seen.add((Integer) k.attachment());
                        ((DatagramChannel) k.channel()).receive(ByteBuffer.allocate(4));
                    }
                }
                assertEquals(chosen, seen);
                // half the channels go; their keys leave with the next selection
                for (int i = 0; i < chans.size(); i += 2) {
                    chans.get(i).close();
                }
                sel.selectNow();
                assertEquals(5_000, sel.keys().size());
            } finally {
                for (DatagramChannel c : chans) {
                    c.close();
                }
                sel.close();
            }
            assertEquals(List.of(), socketsOf(p.syscalls()));
        }
    }

    /**
     * A selector-driven echo server on one kernel; clients on another open, use and close thousands of
     * connections in a seeded random order, some closing abruptly (SO_LINGER 0, a reset).
     */
    @Test
    void thousandsOfConnectionsComeAndGo() throws Exception {
        try (HubNet net = new HubNet()) {
            RumpSelectorProvider sp = RumpSelectorProvider.of(net.boot());
            RumpSelectorProvider cp = RumpSelectorProvider.of(net.boot());
            ServerSocketChannel l = sp.openServerSocketChannel();
            l.bind(new InetSocketAddress(HubNet.address(1), 9000), 512);
            l.configureBlocking(false);
            Selector sel = sp.openSelector();
            l.register(sel, SelectionKey.OP_ACCEPT);
            AtomicReference<Throwable> serverFailed = new AtomicReference<>();
            Thread server = new Thread(() -> {
                ByteBuffer buf = ByteBuffer.allocate(4096);
                try {
                    while (sel.isOpen()) {
                        sel.select();
                        if (!sel.isOpen()) {
                            break;
                        }
                        for (Iterator<SelectionKey> it = sel.selectedKeys().iterator(); it.hasNext(); ) {
                            SelectionKey k = it.next();
                            it.remove();
                            if (k.isAcceptable()) {
                                SocketChannel c;
                                while ((c = l.accept()) != null) {
                                    c.configureBlocking(false);
                                    c.register(sel, SelectionKey.OP_READ);
                                }
                            } else if (k.isReadable()) {
                                SocketChannel c = (SocketChannel) k.channel();
                                int n;
                                try {
                                    n = c.read(buf.clear());
                                } catch (IOException e) {
                                    n = -1;
                                }
                                if (n < 0) {
                                    c.close();
                                } else if (n > 0) {
                                    buf.flip();
                                    while (buf.hasRemaining()) {
                                        c.write(buf);
                                    }
                                }
                            }
                        }
                    }
                } catch (java.nio.channels.ClosedSelectorException e) {
                    // stopped
                } catch (Throwable t) {
                    serverFailed.set(t);
                }
            }, "echo server");
            server.start();

            Random rnd = new Random(4242);
            List<SocketChannel> open = new ArrayList<>();
            int opened = 0;
            while (opened < 3000 || !open.isEmpty()) {
                int r = rnd.nextInt(10);
                if (opened < 3000 && (open.size() < 300 && r < 4 || open.isEmpty())) {
                    SocketChannel c = cp.openSocketChannel();
                    c.connect(new InetSocketAddress(HubNet.address(1), 9000));
                    open.add(c);
                    opened++;
                } else if (r < 7 && !open.isEmpty()) {
                    SocketChannel c = open.get(rnd.nextInt(open.size()));
                    byte[] msg = new byte[1 + rnd.nextInt(64)];
                    rnd.nextBytes(msg);
                    c.write(ByteBuffer.wrap(msg));
                    ByteBuffer back = ByteBuffer.allocate(msg.length);
                    while (back.hasRemaining()) {
                        if (c.read(back) < 0) {
                            throw new IOException("echo server closed a live connection");
                        }
                    }
                    assertEquals(ByteBuffer.wrap(msg), back.flip());
                } else if (!open.isEmpty()) {
                    SocketChannel c = open.remove(rnd.nextInt(open.size()));
                    if (rnd.nextInt(4) == 0) {
                        c.setOption(java.net.StandardSocketOptions.SO_LINGER, 0);
                    }
                    c.close();
                }
            }
            Probes.await("the server to close every connection", () -> {
                sel.wakeup();
                return sel.keys().size() == 1;
            });
            sel.close();
            server.join();
            l.close();
            assertEquals(null, serverFailed.get());
            assertEquals(List.of(), socketsOf(sp.syscalls()), "server descriptors left");
            assertEquals(List.of(), socketsOf(cp.syscalls()), "client descriptors left");
        }
    }
}
