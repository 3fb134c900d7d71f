package io.jrump.afpa.cache;

import io.jrump.kern.Kernel;
import io.jrump.kern.sched.Lwp;
import io.jrump.kern.vfs.Fcntl;
import io.jrump.kern.vfs.Timespec;
import io.jrump.vfs.Vfs;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Documents in a test kernel's rumpfs, and running cache calls on a kernel thread as the engine does. */
final class Docs {
    final Kernel k;
    final Vfs vfs;
    final Lwp l;

    Docs(Kernel k) throws Exception {
        this.k = k;
        this.vfs = k.service(Vfs.class);
        this.l = k.proc1().newLwp("docs");
    }

    Docs dir(String path) throws Exception {
        vfs.mkdir(l, path, 0755);
        return this;
    }

    Docs write(String path, byte[] data) throws Exception {
        int fd = vfs.open(l, path, Fcntl.O_CREAT | Fcntl.O_WRONLY | Fcntl.O_TRUNC, 0644);
        try {
            ByteBuffer b = ByteBuffer.wrap(data);
            while (b.hasRemaining()) {
                vfs.write(l, fd, b);
            }
        } finally {
            vfs.close(l, fd);
        }
        return this;
    }

    void touch(String path, long mtimeNanos) throws Exception {
        Timespec t = Timespec.ofNanos(mtimeNanos);
        vfs.utimensat(l, Fcntl.AT_FDCWD, path, new Timespec[] {t, t}, 0);
    }

    /** Bytes 0..n-1 of a pattern that has no period of a frame's length. */
    static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        int x = seed;
        for (int i = 0; i < n; i++) {
            x = x * 1103515245 + 12345;
            b[i] = (byte) (x >>> 16);
        }
        return b;
    }

    /** Runs {@code body} on a kernel thread (the engine's service thread) and returns what it gave. */
    <T> T onKThread(Supplier<T> body) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        k.createKThread("afpa-test", () -> {
            try {
                f.complete(body.get());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f.get(30, TimeUnit.SECONDS);
    }

    /** The bytes of {@code o} reassembled from its frames. */
    static byte[] contents(CacheObject o) {
        byte[] out = new byte[(int) o.size()];
        for (int i = 0; i < o.frameCount(); i++) {
            System.arraycopy(o.frameBuf(i), o.payloadOff(i), out, (int) o.fileOffset(i), o.payloadLen(i));
        }
        return out;
    }
}
