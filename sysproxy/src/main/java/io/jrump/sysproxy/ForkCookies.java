package io.jrump.sysproxy;

import io.jrump.kern.syscall.sp.Protocol;
import io.jrump.hypercall.HyperRandom;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The authority for {@code fork}: a parent connection asks for a random cookie (the prefork frame), and
 * a new connection that presents it becomes a child of the parent's process. Only the holder of the
 * cookie can fork a process, each cookie works once, and a parent's cookies die with its connection. A
 * connection holds at most {@link #PER_PARENT} unused cookies, so a client cannot grow this table. The
 * bytes come from the kernel's random source ({@code rumpuser_getrandom}), the host's entropy unless a
 * test seeded it.
 */
final class ForkCookies {
    static final int PER_PARENT = 8;
    private final HyperRandom random;
    private final Map<String, ServerConnection> byCookie = new HashMap<>();
    private final Map<ServerConnection, Deque<String>> byParent = new HashMap<>();

    ForkCookies(HyperRandom random) {
        this.random = random;
    }

    synchronized byte[] issue(ServerConnection parent) {
        byte[] c = new byte[Protocol.COOKIE_LEN];
        random.fill(c, 0, c.length);
        String key = key(c);
        Deque<String> mine = byParent.computeIfAbsent(parent, p -> new ArrayDeque<>());
        if (mine.size() >= PER_PARENT) {
            byCookie.remove(mine.removeFirst());
        }
        mine.addLast(key);
        byCookie.put(key, parent);
        return c;
    }

    /** The parent the cookie was issued to, once; null for an unknown or used cookie. */
    synchronized ServerConnection take(byte[] cookie) {
        String key = key(cookie);
        ServerConnection p = byCookie.remove(key);
        if (p != null) {
            Deque<String> mine = byParent.get(p);
            mine.remove(key);
            if (mine.isEmpty()) {
                byParent.remove(p);
            }
        }
        return p;
    }

    synchronized void drop(ServerConnection parent) {
        Deque<String> mine = byParent.remove(parent);
        if (mine != null) {
            for (Iterator<String> it = mine.iterator(); it.hasNext(); ) {
                byCookie.remove(it.next());
            }
        }
    }

    private static String key(byte[] c) {
        return java.util.HexFormat.of().formatHex(c);
    }
}
