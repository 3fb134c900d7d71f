package io.jrump.virtif;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Ports come and go in any number: a frame reaches exactly the ports open when it is sent, once each. */
class PortSetTest {
    @Test
    void aFloodReachesEveryOpenPortOnceWhilePortsAreClosedAndAttached() {
        Hub hub = new Hub("h");
        int n = 1000;
        List<EtherLink> ports = new ArrayList<>();
        List<AtomicInteger> got = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            attach(hub, ports, got);
        }
        EtherLink sender = ports.get(0);
        byte[] f = TestFrames.frame(TestFrames.MAC_A, 1, 60);
        // close all odd ports but the last, one at a time, sending between closes
        for (int i = 1; i < n - 1; i += 2) {
            ports.get(i).close();
            sender.send(f, 0, f.length);
        }
        int sends = (n - 1) / 2;
        for (int i = 1; i < n; i++) {
            // port i saw every frame sent before it was closed
            int expected = i % 2 == 0 || i == n - 1 ? sends : (i - 1) / 2;
            assertEquals(expected, got.get(i).get(), "port " + i);
        }
        assertEquals(n / 2 + 1, hub.portCount());

        // new ports after the array was compacted get frames too, closed ones stay silent
        for (int i = 0; i < 10; i++) {
            attach(hub, ports, got);
        }
        sender.send(f, 0, f.length);
        for (int i = 1; i < ports.size(); i++) {
            boolean open = i % 2 == 0 || i >= n - 1;
            int expected = i < n ? (open ? sends + 1 : (i - 1) / 2) : 1;
            assertEquals(expected, got.get(i).get(), "port " + i);
        }
        for (EtherLink p : ports) {
            p.close();
        }
        assertEquals(0, hub.portCount());
    }

    private static void attach(Hub hub, List<EtherLink> ports, List<AtomicInteger> got) {
        EtherLink p = hub.attach();
        AtomicInteger c = new AtomicInteger();
        p.setReceiver((fr, off, len) -> c.incrementAndGet());
        ports.add(p);
        got.add(c);
    }
}
