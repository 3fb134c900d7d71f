package io.jrump.sysproxy;

import static org.junit.jupiter.api.Assertions.*;

import io.jrump.kern.syscall.sp.BufferMeter;
import io.jrump.kern.syscall.sp.FrameReader;
import io.jrump.kern.syscall.sp.Protocol;
import io.jrump.kern.syscall.sp.ProtocolException;
import io.jrump.kern.syscall.sp.WireReader;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The frame reader's buffer: it grows with the bytes that arrive, never to what a length field only
 * announces, goes back to its starting size after a big frame, tells its meter every byte it holds,
 * and still cuts any stream, in any pieces, into the frames it carries.
 */
class FrameReaderTest {
    /** A channel that hands out {@code data} in pieces of random size, then ends. */
    private static final class Pieces implements ReadableByteChannel {
        private final ByteBuffer data;
        private final Random rnd;
        private final int maxPiece;

        Pieces(byte[] data, long seed, int maxPiece) {
            this.data = ByteBuffer.wrap(data);
            this.rnd = new Random(seed);
            this.maxPiece = maxPiece;
        }

        @Override
        public int read(ByteBuffer dst) {
            if (!data.hasRemaining()) {
                return -1;
            }
            int n = Math.min(Math.min(dst.remaining(), data.remaining()), 1 + rnd.nextInt(maxPiece));
            ByteBuffer slice = data.slice(data.position(), n);
            dst.put(slice);
            data.position(data.position() + n);
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }

    /** Counts what the reader holds. */
    private static final class Meter implements BufferMeter {
        final AtomicLong held = new AtomicLong();
        long peak;

        @Override
        public boolean reserve(long bytes) {
            charge(bytes);
            return true;
        }

        @Override
        public void charge(long bytes) {
            peak = Math.max(peak, held.addAndGet(bytes));
        }

        @Override
        public void release(long bytes) {
            held.addAndGet(-bytes);
        }
    }

    private static byte[] frame(int bodyLen, int fill) {
        ByteBuffer b = ByteBuffer.allocate(4 + 5 + bodyLen);
        b.putInt(5 + bodyLen).put((byte) Protocol.T_SYSCALL).putInt(fill);
        for (int k = 0; k < bodyLen; k++) {
            b.put((byte) (fill + k));
        }
        return b.array();
    }

    @Test
    void anAnnouncedFrameCostsWhatArrivedNotWhatWasAnnounced() {
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        s.writeBytes(ByteBuffer.allocate(4).putInt(1 << 20).array());
        s.writeBytes(new byte[1000]);
        Meter m = new Meter();
        FrameReader r = FrameReader.requests(new Pieces(s.toByteArray(), 1, 64), m);
        ProtocolException e = assertThrows(ProtocolException.class, r::next);
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        assertTrue(m.peak <= 4 * 1004, "held at most a few times what arrived: " + m.peak);
        assertEquals(r.capacity(), m.held.get(), "the meter knows what the reader holds");
    }

    @Test
    void anyStreamInAnyPiecesIsCutIntoItsFramesAndTheBufferShrinksAfterABigOne() throws Exception {
        Random rnd = new Random(15);
        List<byte[]> frames = new ArrayList<>();
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        for (int k = 0; k < 400; k++) {
            int len = k % 50 == 7 ? 200_000 + rnd.nextInt(800_000) : rnd.nextInt(k % 3 == 0 ? 2000 : 40);
            byte[] f = frame(len, k);
            frames.add(f);
            s.writeBytes(f);
        }
        for (int maxPiece : new int[] {1, 7, 300, 70_000}) {
            Meter m = new Meter();
            FrameReader r = FrameReader.requests(new Pieces(s.toByteArray(), maxPiece, maxPiece), m);
            for (byte[] f : frames) {
                WireReader w = r.next();
                assertNotNull(w);
                assertEquals(f.length - 4, w.remaining());
                assertArrayEquals(java.util.Arrays.copyOfRange(f, 4, f.length), w.bytes(f.length - 4, "frame"));
                assertEquals(r.capacity(), m.held.get());
            }
            assertNull(r.next(), "a clean end between frames");
            assertTrue(r.capacity() <= (64 << 10) + 256, "back to a small buffer: " + r.capacity());
            assertTrue(m.peak <= 2L * (1_000_000 + 9) + (64 << 10), "at most twice the largest frame: " + m.peak);
        }
    }
}
