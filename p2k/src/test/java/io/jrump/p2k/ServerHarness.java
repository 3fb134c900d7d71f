package io.jrump.p2k;

import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.kern.sched.Lwp;
import io.jrump.kern.sched.Proc;
import io.jrump.vfs.Vfs;
import io.jrump.vfs.VnodeCalls;
import io.jrump.vfs.Vnode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link P2kServer} on a rumpfs mount of an in-process kernel, fed requests built byte by byte and
 * recording its replies, without {@code /dev/fuse}: the protocol as the Linux kernel speaks it, injected.
 */
final class ServerHarness implements FuseChannel, AutoCloseable {
    final Kernel kernel;
    final Vfs vfs;
    final P2kServer server;
    final Worker worker;
    final List<byte[]> replies = new ArrayList<>();
    private final Lwp main;
    private long unique = 1;

    ServerHarness() throws Exception {
        kernel = Kernel.boot(KernelConfig.builder().component("rumpvfs").ncpu(2).build());
        vfs = kernel.service(Vfs.class);
        Proc p1 = kernel.proc1();
        main = p1.newLwp("test");
        Vnode root;
        kernel.hypercall().threads().setCurLwp(main);
        kernel.scheduler().schedule(main, null);
        try {
            vfs.mkdir(main, "/p2k", 0755);
            vfs.mount(main, "rumpfs", "/p2k", 0, "");
            root = vfs.namei().lookup(p1, null, "/p2k", true);
        } finally {
            kernel.scheduler().unschedule(main);
            kernel.hypercall().threads().setCurLwp(null);
        }
        VnodeCalls calls = new VnodeCalls(vfs);
        server = new P2kServer(vfs, calls, root, new CredProcs(kernel, vfs, calls, root), p1, this,
                TimeUnit.SECONDS.toNanos(1), msg -> { });
        root.rele();
        worker = new Worker(server, kernel, "test-worker");
    }

    @Override
    public int read(ByteBuffer buf) {
        return -FuseUser.L_ENODEV;
    }

    @Override
    public int write(ByteBuffer buf, int len) {
        byte[] reply = new byte[len];
        buf.get(0, reply);
        replies.add(reply);
        return 0;
    }

    /** A request: header with {@code len} = the bytes given, then {@code body}. */
    byte[] request(int opcode, long nodeid, int uid, int gid, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(FuseAbi.IN_HEADER + body.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(FuseAbi.IN_HEADER + body.length).putInt(opcode).putLong(unique++).putLong(nodeid)
                .putInt(uid).putInt(gid).putInt(4242).putInt(0).put(body);
        return b.array();
    }

    /** Feeds {@code req} as its first {@code n} bytes; returns the reply, or null if there was none. */
    byte[] send(byte[] req, int n) {
        int before = replies.size();
        worker.inView.put(0, req, 0, n);
        server.handle(worker, n);
        return replies.size() > before ? replies.get(replies.size() - 1) : null;
    }

    byte[] send(byte[] req) {
        return send(req, req.length);
    }

    byte[] send(int opcode, long nodeid, byte[] body) {
        return send(request(opcode, nodeid, 0, 0, body));
    }

    static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The reply's error: 0 or minus Linux's errno. */
    static int error(byte[] reply) {
        return le(reply).getInt(4);
    }

    static byte[] cstr(String... names) {
        ByteBuffer b = ByteBuffer.allocate(4096);
        for (String s : names) {
            b.put(s.getBytes(StandardCharsets.UTF_8)).put((byte) 0);
        }
        byte[] r = new byte[b.position()];
        b.flip().get(r);
        return r;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    static byte[] ints(int... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : v) {
            b.putInt(x);
        }
        return b.array();
    }

    static byte[] longs(long... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) {
            b.putLong(x);
        }
        return b.array();
    }

    @Override
    public void close() {
        kernel.hypercall().threads().setCurLwp(main);
        kernel.scheduler().schedule(main, null);
        try {
            server.nodes().releaseAll();
        } finally {
            kernel.scheduler().unschedule(main);
            kernel.hypercall().threads().setCurLwp(null);
        }
        kernel.halt();
    }
}
