package io.jrump.sysproxy;

import static org.junit.jupiter.api.Assertions.*;

import io.jrump.hypercall.ManualClock;
import io.jrump.kern.Kernel;
import io.jrump.kern.syscall.sp.Protocol;
import io.jrump.rumpclient.RumpClient;
import io.jrump.testkit.RumpKernel;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile peers that hold connections without working (issue 15): thousands that never send their
 * handshake, or announce a large frame and stall, neither lock a working client out nor make the
 * server hold buffers for what they only announced, and the server drops them once the (manual) clock
 * passes their deadlines.
 */
@RumpKernel(components = "rumpnet_netinet", manualClock = true)
class StalledClientsTest {
    private static final int STALLED = 2000;
    private final List<String> logs = new CopyOnWriteArrayList<>();

    private static SocketChannel connect(Path sock) throws IOException {
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
        c.connect(UnixDomainSocketAddress.of(sock));
        return c;
    }

    private static long directBytes() {
        long sum = 0;
        for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (b.getName().equals("direct")) {
                sum += b.getMemoryUsed();
            }
        }
        return sum;
    }

    @Test
    void twoThousandStalledClientsLockNobodyOutAndGoAtTheirDeadline(Kernel k, ManualClock clock, @TempDir Path dir)
            throws Exception {
        Path sock = dir.resolve("sock");
        List<SocketChannel> stalled = new ArrayList<>();
        long direct0 = directBytes();
        try (RumpServer s = RumpServer.builder(k).url("unix://" + sock).log(logs::add).start();
             RumpClient working = RumpClient.connect(s.url(), "working")) {
            assertTimeoutPreemptively(Duration.ofMinutes(5), () -> {
                for (int i = 0; i < STALLED; i++) {
                    SocketChannel c = connect(sock);
                    stalled.add(c);
                    if (i % 2 == 0) {
                        // announces a frame of 1 MiB, sends nothing of it, and stalls
                        c.write(ByteBuffer.allocate(4).putInt(0, 1 << 20));
                    }
                    if (i % 250 == 249) {
                        assertEquals(working.pid(), working.getpid(), "the working client's calls answer");
                        assertEquals("NetBSD", working.sysctlRead("kern.ostype"));
                        try (RumpClient fresh = RumpClient.connect(s.url(), "fresh")) {
                            assertEquals("NetBSD", fresh.sysctlRead("kern.ostype"), "a new client gets a slot");
                        }
                    }
                }
            });
            int fresh = STALLED / 250;
            Probe.await(() -> s.acceptedCount() == 1 + STALLED + fresh, "the server took every connection in");
            Probe.await(() -> s.connectionCount() <= 1 + 1024 / 2, "stalled peers holding at most half the slots");
            assertTrue(s.bufferBytes() < 4 << 20, "buffers for what stalled peers announced are not allocated: "
                    + s.bufferBytes() + " bytes");
            assertTrue(directBytes() - direct0 < 64 << 20, "direct memory grew by " + (directBytes() - direct0));
            assertEquals(working.pid(), working.getpid());

            clock.advance(TimeUnit.SECONDS.toNanos(11));
            Probe.await(() -> s.connectionCount() == 1, "the stalled connections dropped after the handshake timeout");
            assertTrue(s.timedOutCount() > 0);
            assertEquals(List.of(working.pid()), s.clientPids());
            assertEquals("NetBSD", working.sysctlRead("kern.ostype"));
            assertTrue(logs.stream().noneMatch(l -> l.contains("Exception")), logs.toString());
        } finally {
            for (SocketChannel c : stalled) {
                c.close();
            }
        }
    }

    @Test
    void aProcessThatStallsInsideAFrameIsDroppedAfterTheStallTimeout(Kernel k, ManualClock clock, @TempDir Path dir)
            throws Exception {
        Path sock = dir.resolve("sock");
        try (RumpServer s = RumpServer.builder(k).url("unix://" + sock).log(logs::add).start();
             RawClient raw = new RawClient(sock);
             RumpClient working = RumpClient.connect(s.url(), "working")) {
            long pid = raw.hello("staller");
            raw.send(ByteBuffer.allocate(12).putInt(0, Protocol.MAX_REQUEST).put(4, (byte) Protocol.T_SYSCALL));
            Probe.await(() -> s.waitingInFrame() == 1, "the server waiting for the rest of the frame");
            clock.advance(TimeUnit.SECONDS.toNanos(29));
            assertEquals(2, s.connectionCount(), "a client that made progress within the timeout keeps its process");
            assertTrue(s.bufferBytes() < 1 << 20, "only what arrived is held: " + s.bufferBytes());
            clock.advance(TimeUnit.SECONDS.toNanos(2));
            assertTrue(raw.closedByServer());
            Probe.await(() -> s.connectionCount() == 1 && k.proc((int) pid) == null, "the staller's process gone");
            assertTrue(logs.stream().anyMatch(l -> l.contains("stalled inside a frame for 30 s")), logs.toString());
            assertEquals("NetBSD", working.sysctlRead("kern.ostype"));
        }
    }
}
