package io.jrump.bench;

import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The baseline for {@code udp-pps}: the same exchange through the host kernel's loopback with plain
 * {@link DatagramChannel}s, measured in the same run. One thread sends as fast as it can, one
 * receives; the rate is what arrives.
 */
final class HostUdpBaseline {
    private HostUdpBaseline() {
    }

    /** Datagrams per second received over {@code seconds}, with {@code payload}-byte datagrams. */
    static double pps(int payload, double seconds) throws Exception {
        try (DatagramChannel rx = DatagramChannel.open(StandardProtocolFamily.INET);
             DatagramChannel tx = DatagramChannel.open(StandardProtocolFamily.INET)) {
            rx.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
            rx.bind(new InetSocketAddress("127.0.0.1", 0));
            tx.connect(rx.getLocalAddress());
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong received = new AtomicLong();
            Thread r = new Thread(() -> {
                ByteBuffer b = ByteBuffer.allocateDirect(65536);
                try {
                    rx.configureBlocking(true);
                    while (!stop.get()) {
                        b.clear();
                        rx.receive(b);
                        received.incrementAndGet();
                    }
                } catch (Exception e) {
                    // closed at the end of the run
                }
            }, "host-rx");
            r.setDaemon(true);
            r.start();
            ByteBuffer p = ByteBuffer.allocateDirect(payload);
            long end = System.nanoTime() + (long) (seconds * 1e9);
            long warm = System.nanoTime() + (long) (seconds * 0.2e9);
            long startCount = -1;
            long startTime = 0;
            while (System.nanoTime() < end) {
                p.clear();
                tx.write(p);
                if (startCount < 0 && System.nanoTime() >= warm) {
                    startCount = received.get();
                    startTime = System.nanoTime();
                }
            }
            long got = received.get() - startCount;
            double dt = (System.nanoTime() - startTime) / 1e9;
            stop.set(true);
            rx.close();
            r.join(2000);
            return got / dt;
        }
    }
}
