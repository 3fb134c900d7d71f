package io.jrump.virtif;

import io.jrump.hypercall.HostHypercall;

/**
 * The other process in {@code ShmifBusTest}: attaches to the bus named by its first argument and sends
 * as many frames as its second says, tagged 0..N-1, from MAC_C.
 */
public final class ShmifChildSender {
    private ShmifChildSender() {
    }

    public static void main(String[] args) {
        String path = args[0];
        int count = Integer.parseInt(args[1]);
        try (ShmifBus bus = ShmifBus.open(HostHypercall.create(), path)) {
            for (int i = 0; i < count; i++) {
                int len = 60 + i % 500;
                bus.send(TestFrames.frame(TestFrames.MAC_C, i, len), 0, len);
            }
            System.out.println("child sent " + bus.stats().framesSent() + " as 0x" + Integer.toHexString(bus.senderId()));
        }
        System.exit(0);
    }
}
