package io.jrump.rumpnet.socket;

import static io.jrump.rumpnet.socket.Sk.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.jrump.kern.Kernel;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.rumpnet.mbuf.MbufPool;
import io.jrump.testkit.RumpKernel;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Many sizes through both protocols on two CPUs, checked byte for byte. */
@RumpKernel(components = "rumpnet", ncpu = 2)
class StreamStressTest {

    @Test
    void aMegabyteCrossesAStreamIntact(Kernel k) throws Exception {
        LoopDomain d = LoopDomain.install(k);
        d.segmentSize = 1460;
        Syscalls s = k.syscalls();
        int[] p = streamPair(s, 4000);
        byte[] all = Sk.pattern(1 << 20, 11).array();
        AtomicReference<Throwable> err = new AtomicReference<>();
        Thread w = start("writer", () -> {
            Random r = new Random(1);
            int off = 0;
            while (off < all.length) {
                int n = Math.min(all.length - off, 1 + r.nextInt(9000));
                off += s.write(p[1], ByteBuffer.wrap(all, off, n));
            }
            s.shutdown(p[1], io.jrump.kern.syscall.SocketDefs.SHUT_WR);
        }, err);
        ByteBuffer got = ByteBuffer.allocate(all.length + 1);
        Random r = new Random(2);
        for (;;) {
            int n = Math.min(got.remaining(), 1 + r.nextInt(7000));
            ByteBuffer slice = got.slice();
            slice.limit(n);
            int c = s.read(p[2], slice);
            if (c == 0) {
                break;
            }
            got.position(got.position() + c);
        }
        w.join(30_000);
        assertNull(err.get());
        assertEquals(all.length, got.position());
        assertArrayEquals(all, java.util.Arrays.copyOf(got.array(), all.length));
        for (int fd : p) {
            s.close(fd);
        }
        assertEquals(0, k.service(MbufPool.class).stats().mbufsInUse());
    }

    @Test
    void datagramPingPong(Kernel k) throws Exception {
        LoopDomain.install(k);
        Syscalls s = k.syscalls();
        int a = dgram(s, 4100);
        int b = dgram(s, 4101);
        AtomicReference<Throwable> err = new AtomicReference<>();
        Thread echo = start("echo", () -> {
            ByteBuffer buf = ByteBuffer.allocate(2000);
            SockAddr from = new SockAddr();
            for (int i = 0; i < 500; i++) {
                buf.clear();
                s.recvfrom(b, buf, 0, from);
                buf.flip();
                s.sendto(b, buf, 0, from);
            }
        }, err);
        ByteBuffer out = ByteBuffer.allocate(2000);
        ByteBuffer in = ByteBuffer.allocate(2000);
        for (int i = 0; i < 500; i++) {
            int n = (i * 37) % 1900;
            out.clear();
            out.put(0, (byte) i);
            out.limit(n);
            s.sendto(a, out, 0, port(4101));
            in.clear();
            assertEquals(n, s.recvfrom(a, in, 0, null));
            if (n > 0) {
                assertEquals((byte) i, in.get(0));
            }
        }
        echo.join(10_000);
        assertNull(err.get());
        s.close(a);
        s.close(b);
    }
}
