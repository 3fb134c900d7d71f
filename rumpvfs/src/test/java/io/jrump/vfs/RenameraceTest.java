package io.jrump.vfs;

import io.jrump.kern.vfs.Stat;


import static io.jrump.kern.vfs.Fcntl.O_APPEND;
import static io.jrump.kern.vfs.Fcntl.O_CREAT;
import static io.jrump.kern.vfs.Fcntl.O_RDONLY;
import static io.jrump.kern.vfs.Fcntl.O_TRUNC;
import static io.jrump.kern.vfs.Fcntl.O_WRONLY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import io.jrump.testkit.RumpKernel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * NetBSD's {@code tests/fs/vfs/t_renamerace.c} with a bounded number of rounds instead of seconds: eight
 * threads create and unlink a file while eight others rename it, and directories likewise. Afterwards the
 * tree must be consistent (every name resolves, link counts match the names, {@code ..} leads back), the
 * file system must unmount (no reference leaked) and the kernel halt with all memory returned. Also ten
 * processes that append and rename in one directory.
 */
@RumpKernel(components = "rumpvfs", ncpu = 2)
class RenameraceTest {
    private static final int NWRK = 8;
    private static final int ROUNDS = 1500;

    @FunctionalInterface
    interface Body {
        void run(Harness.P p, int worker) throws ErrnoException;
    }

    /** Runs each body on its own thread as its own lwp of {@code p}, all started together; rethrows failures. */
    private static void race(Harness.P p, List<Body> bodies) throws Exception {
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> ts = new ArrayList<>();
        for (int i = 0; i < bodies.size(); i++) {
            Body b = bodies.get(i);
            int w = i;
            Thread t = new Thread(() -> {
                try {
                    start.await();
                    b.run(new Harness.P(p.h, p.proc), w);
                } catch (Throwable e) {
                    errors.add(e);
                }
            }, "race-" + i);
            ts.add(t);
            t.start();
        }
        start.countDown();
        for (Thread t : ts) {
            t.join();
        }
        if (!errors.isEmpty()) {
            Throwable e = errors.peek();
            fail("worker failed: " + e, e);
        }
    }

    /** Walks the tree and checks that names, link counts and {@code ..} agree. */
    static void checkTree(Harness.P p, String root) throws ErrnoException {
        Map<Long, Integer> names = new HashMap<>();
        Map<Long, Integer> links = new HashMap<>();
        walk(p, root, names, links);
        for (Map.Entry<Long, Integer> e : names.entrySet()) {
            assertEquals(links.get(e.getKey()), e.getValue(), "names of inode " + e.getKey());
        }
    }

    private static void walk(Harness.P p, String dir, Map<Long, Integer> names, Map<Long, Integer> links)
            throws ErrnoException {
        Stat d = p.lstat(dir);
        int subdirs = 0;
        for (String n : p.list(dir)) {
            if (n.equals(".") || n.equals("..")) {
                continue;
            }
            String path = dir + "/" + n;
            Stat s = p.lstat(path);
            if (s.isDir()) {
                subdirs++;
                assertEquals(d.ino(), p.stat(path + "/..").ino(), path + "/.. leads back");
                walk(p, path, names, links);
            } else {
                names.merge(s.ino(), 1, Integer::sum);
                links.put(s.ino(), s.nlink());
            }
        }
        assertEquals(2 + subdirs, d.nlink(), "link count of " + dir);
    }

    private static Harness.P setUp(Kernel k) throws Exception {
        Harness h = new Harness(k);
        Harness.P r = h.root();
        MountFactory.RUMPFS.prepare(h);
        Harness.P p = h.user(0, 0);
        p.chdir("/mnt");
        return p;
    }

    private static void unmount(Harness.P p) throws ErrnoException {
        p.chdir("/");
        Harness.P r = p.h.root();
        r.h.vfs.unmount(r.l, "/mnt", 0);
    }

    @Test
    void renamerace(Kernel k) throws Exception {
        Harness.P p = setUp(k);
        List<Body> bodies = new ArrayList<>();
        for (int i = 0; i < NWRK; i++) {
            bodies.add((q, w) -> {
                for (int n = 0; n < ROUNDS; n++) {
                    int fd = -1;
                    try {
                        fd = q.open("rename.test1", O_WRONLY | O_CREAT | O_TRUNC, 0666);
                    } catch (ErrnoException e) {
                        if (e.errno() != Errno.EEXIST) {
                            throw e;
                        }
                    }
                    try {
                        q.unlink("rename.test1");
                    } catch (ErrnoException e) {
                        assertEquals(Errno.ENOENT, e.errno());
                    }
                    if (fd >= 0) {
                        q.close(fd);
                    }
                }
            });
        }
        for (int i = 0; i < NWRK; i++) {
            bodies.add((q, w) -> {
                for (int n = 0; n < ROUNDS; n++) {
                    try {
                        q.rename("rename.test1", "rename.test2");
                    } catch (ErrnoException e) {
                        assertEquals(Errno.ENOENT, e.errno());
                    }
                }
            });
        }
        race(p, bodies);
        checkTree(p, "/mnt");
        unmount(p);
    }

    @Test
    void renamerace_dirs(Kernel k) throws Exception {
        Harness.P p = setUp(k);
        List<Body> bodies = new ArrayList<>();
        for (int i = 0; i < NWRK; i++) {
            bodies.add((q, w) -> {
                for (int n = 0; n < ROUNDS; n++) {
                    try {
                        q.mkdir("rename.test1", 0777);
                    } catch (ErrnoException e) {
                        assertEquals(Errno.EEXIST, e.errno());
                    }
                    try {
                        q.rmdir("rename.test1");
                    } catch (ErrnoException e) {
                        assertTrue(e.errno() == Errno.ENOENT || e.errno() == Errno.ENOTEMPTY, e.toString());
                    }
                }
            });
            bodies.add((q, w) -> {
                for (int n = 0; n < ROUNDS; n++) {
                    try {
                        q.rename("rename.test1", "rename.test2");
                    } catch (ErrnoException e) {
                        assertTrue(e.errno() == Errno.ENOENT || e.errno() == Errno.ENOTEMPTY, e.toString());
                    }
                }
            });
        }
        race(p, bodies);
        checkTree(p, "/mnt");
        unmount(p);
    }

    /** Directories moved into each other from both sides: never a cycle, never a lost subtree. */
    @Test
    void crossing_directory_renames(Kernel k) throws Exception {
        Harness.P p = setUp(k);
        p.mkdir("a", 0755);
        p.mkdir("b", 0755);
        p.mkdir("c", 0755);
        String[] dirs = {"a", "b", "c"};
        List<Body> bodies = new ArrayList<>();
        for (int i = 0; i < NWRK; i++) {
            bodies.add((q, w) -> {
                java.util.SplittableRandom r = new java.util.SplittableRandom(w);
                for (int n = 0; n < ROUNDS; n++) {
                    String x = dirs[r.nextInt(3)];
                    String y = dirs[r.nextInt(3)];
                    // move x under y wherever both are now: find them by walking from /mnt
                    String px = find(q, "/mnt", x);
                    String py = find(q, "/mnt", y);
                    if (px == null || py == null) {
                        continue;
                    }
                    try {
                        q.rename(px, py + "/" + x);
                    } catch (ErrnoException e) {
                        int en = e.errno();
                        assertTrue(en == Errno.EINVAL || en == Errno.ENOENT || en == Errno.ENOTEMPTY, e.toString());
                    }
                }
            });
        }
        race(p, bodies);
        for (String d : dirs) {
            assertTrue(find(p, "/mnt", d) != null, d + " is still reachable");
        }
        checkTree(p, "/mnt");
        unmount(p);
    }

    private static String find(Harness.P p, String dir, String name) {
        try {
            for (String n : p.list(dir)) {
                if (n.equals(".") || n.equals("..")) {
                    continue;
                }
                String path = dir + "/" + n;
                if (n.equals(name)) {
                    return path;
                }
                String sub = find(p, path, name);
                if (sub != null) {
                    return sub;
                }
            }
        } catch (ErrnoException e) {
            return null;
        }
        return null;
    }

    /** Ten processes append to a shared log and to their own file, which they keep renaming. */
    @Test
    void ten_processes_append_and_rename(Kernel k) throws Exception {
        Harness.P p = setUp(k);
        int nproc = 10;
        int rounds = 300;
        List<Thread> ts = new ArrayList<>();
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < nproc; i++) {
            Harness.P q = p.fork();
            int id = i;
            Thread t = new Thread(() -> {
                try {
                    String cur = "p" + id + ".a";
                    for (int n = 0; n < rounds; n++) {
                        String line = String.format("%02d %04d\n", id, n);
                        int fd = q.open(cur, O_WRONLY | O_CREAT | O_APPEND, 0644);
                        q.write(fd, line);
                        q.close(fd);
                        int log = q.open("log", O_WRONLY | O_CREAT | O_APPEND, 0644);
                        q.write(log, line);
                        q.close(log);
                        String next = cur.endsWith(".a") ? "p" + id + ".b" : "p" + id + ".a";
                        q.rename(cur, next);
                        cur = next;
                    }
                } catch (Throwable e) {
                    errors.add(e);
                } finally {
                    q.exit();
                }
            });
            ts.add(t);
            t.start();
        }
        for (Thread t : ts) {
            t.join();
        }
        if (!errors.isEmpty()) {
            fail("a process failed: " + errors.peek(), errors.peek());
        }
        List<String> names = p.list("/mnt");
        assertEquals(nproc + 3, names.size(), names.toString());
        String log = p.readFile("log");
        String[] lines = log.split("\n");
        assertEquals(nproc * rounds, lines.length);
        int[] next = new int[nproc];
        for (String l : lines) {
            int id = Integer.parseInt(l.substring(0, 2));
            assertEquals(next[id]++, Integer.parseInt(l.substring(3)), "process " + id + "'s lines in order");
        }
        for (int i = 0; i < nproc; i++) {
            String own = p.readFile(names.contains("p" + i + ".a") ? "p" + i + ".a" : "p" + i + ".b");
            assertEquals(rounds, own.split("\n").length);
            assertTrue(own.startsWith(String.format("%02d 0000\n", i)));
        }
        int fd = p.open("log", O_RDONLY);
        p.close(fd);
        checkTree(p, "/mnt");
        unmount(p);
    }
}
