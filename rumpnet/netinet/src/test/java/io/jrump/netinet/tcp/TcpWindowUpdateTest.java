package io.jrump.netinet.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jrump.netinet.tcp.TcpTestContext.PeerOpts;
import org.junit.jupiter.api.Test;

/**
 * When a reader's progress is announced on its own (a window update): RFC 1122 section 4.2.3.3 sets the
 * floor, two segments or half the buffer; above it, as in FreeBSD's {@code tcp_output}, a large buffer
 * waits for a quarter of itself, or for the peer's remaining window to fall to an eighth. The context's
 * buffer is 256 KB ({@link TcpTestContext#RCVBUF}), autosizing off.
 */
class TcpWindowUpdateTest {
    private static final PeerOpts SCALED = new PeerOpts(1460, 7, false, false);

    @Test
    void readsFromALargeBufferAreAnnouncedOnceAQuarterOfItIsFree() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(SCALED);
            int queued = 48 * 1460;
            for (int i = 0; i < 48; i++) {
                p.inject(p.data(1460));
            }
            c.drain();
            int read = 0;
            for (int i = 0; i < 7; i++) {
                read += c.read(p.fd, 8192).length;
                c.expectNothing(read + " bytes read leave the peer " + (TcpTestContext.RCVBUF - queued)
                        + " of window: no update yet");
            }
            read += c.read(p.fd, 8192).length;
            assertEquals(64 * 1024, read);
            p.expect(p.expectAck().window(p.windowField(TcpTestContext.RCVBUF - queued + read)));
            c.expectNothing("one window update");
        }
    }

    @Test
    void aNearlyFullLargeBufferAnnouncesTwoSegmentsOfRoom() throws Exception {
        try (TcpTestContext c = new TcpTestContext()) {
            Peer p = c.passiveOpen(SCALED);
            int queued = 160 * 1460;
            for (int i = 0; i < 160; i++) {
                p.inject(p.data(1460));
            }
            c.drain();
            assertEquals(2920, c.read(p.fd, 2920).length);
            p.expect(p.expectAck().window(p.windowField(TcpTestContext.RCVBUF - queued + 2920)));
            c.expectNothing("one window update");
        }
    }
}
