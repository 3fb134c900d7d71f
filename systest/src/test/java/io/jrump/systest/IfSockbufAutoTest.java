package io.jrump.systest;

import static io.jrump.systest.TcpStreamTest.tcp;
import static io.jrump.systest.TestNet.attach;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.kern.Kernel;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.net.Ifnet;
import io.jrump.net.IfSockbufQuota;
import io.jrump.virtif.Hub;
import io.jrump.virtif.LinkEmulator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * DART's {@code sockbuf auto} (seed 002) with no rate given: the quota is twice the adapter's own rate, its
 * {@code if_baudrate}, times the round trip the handshake measured. The link emulator's driver reports the rate
 * it sends at; a link with no rate leaves {@code auto} nothing to multiply, and the buffers as they were.
 */
class IfSockbufAutoTest {
    private static final long RATE = 400_000_000L;
    private static final long ONE_WAY_MS = 10;

    @ParameterizedTest(name = "link rate {0}")
    @ValueSource(booleans = {true, false})
    void autoQuotaIsTheLinkRateTimesTheRoundTrip(boolean rated) throws Exception {
        try (TestNet net = new TestNet()) {
            Hub hub = new Hub("h");
            Kernel a = net.boot("a");
            Kernel b = net.boot("b");
            String emu = "delay=" + ONE_WAY_MS + "ms" + (rated ? ",rate=" + RATE / 1_000_000 + "mbit" : "");
            Ifnet ia = attach(a, "shmif0", new LinkEmulator(a.hypercall(), hub.attach(), emu), "198.18.0.1/24");
            Ifnet ib = attach(b, "shmif0", new LinkEmulator(b.hypercall(), hub.attach(), emu), "198.18.0.2/24");
            assertEquals(rated ? RATE : 0, ia.baudrate(), "the driver's if_baudrate is the emulator's rate");
            ia.setSockbufHook(IfSockbufQuota.parse(ia, "auto"));
            ib.setSockbufHook(IfSockbufQuota.parse(ib, "auto"));
            Syscalls sa = a.syscalls();
            Syscalls sb = b.syscalls();
            int l = tcp(sb);
            sb.bind(l, SockAddr.in("0.0.0.0", 5001));
            sb.listen(l, 1);
            int c = tcp(sa);
            sa.connect(c, SockAddr.in("198.18.0.2", 5001));
            int s = sb.accept(l, null);
            int snd = sa.getsockopt(c, SocketDefs.SOL_SOCKET, SocketDefs.SO_SNDBUF);
            int defaultSnd = Integer.parseInt(sa.sysctlRead("net.inet.tcp.sendspace").trim());
            if (rated) {
                // the round trip is at least the two one-way delays, so the quota at least this
                long floor = 2 * RATE / 8 * 2 * ONE_WAY_MS / 1000;
                assertTrue(snd >= floor && snd <= IfSockbufQuota.DEFAULT_AUTO_MAX,
                        "send buffer " + snd + " is 2 x rate x rtt, at least " + floor);
            } else {
                assertEquals(defaultSnd, snd, "no rate: the default buffer");
            }
            sa.close(c);
            sb.close(s);
            sb.close(l);
        }
    }
}
