package io.jrump.systest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jrump.hypercall.BufferConsole;
import io.jrump.hypercall.HostHypercall;
import io.jrump.hypercall.SeededRandom;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import io.jrump.kern.syscall.SockAddr;
import io.jrump.kern.syscall.SocketDefs;
import io.jrump.net.Ifnet;
import io.jrump.wire.EtherType;
import io.jrump.wire.EthernetFrame;
import io.jrump.wire.EthernetRepr;
import io.jrump.wire.IpProtocol;
import io.jrump.wire.Ipv4Address;
import io.jrump.wire.Ipv4Packet;
import io.jrump.virtif.EtherLink;
import io.jrump.virtif.Hub;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Fuzz targets for the receive path of a whole kernel: arbitrary Ethernet frames, and frames with a
 * valid Ethernet and IPv4 header around arbitrary ARP, ICMP, UDP or fragment contents, injected from
 * a hub port. Whatever arrives, no exception escapes input processing (the softint failure counter
 * stays 0), the kernel keeps answering, and nothing leaks. Without JAZZER_FUZZ the targets replay
 * their seeds; {@link #seededMutations()} adds a fixed-seed random walk to every normal build.
 */
class InputFuzzTest {
    /** One victim kernel for all inputs: booting per input would make fuzzing a hundred times slower. */
    private static final class Victim {
        static final Victim V = new Victim();
        final Kernel k;
        final Ifnet ifp;
        final EtherLink port;
        final int udpFd;

        private Victim() {
            try {
                k = Kernel.boot(KernelConfig.builder().hostname("victim").ncpu(1).component("rumpnet_netinet")
                        .hypercall(HostHypercall.builder().environment(Map.of()).console(new BufferConsole())
                                .random(new SeededRandom(3)).build()).build());
                Hub hub = new Hub("fuzz");
                ifp = TestNet.attach(k, "shmif0", hub.attach(), "198.18.0.2/24");
                port = hub.attach();
                k.syscalls().sysctlWrite("net.inet.icmp.errppslimit", "-1");
                udpFd = k.syscalls().socket(SocketDefs.AF_INET, SocketDefs.SOCK_DGRAM, 0);
                k.syscalls().bind(udpFd, SockAddr.in("0.0.0.0", 7));
                k.syscalls().fcntl(udpFd, io.jrump.kern.syscall.Syscalls.F_SETFL, io.jrump.kern.file.KFile.O_NONBLOCK);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        void inject(byte[] frame) {
            if (frame.length >= EthernetFrame.HEADER_LEN) {
                port.send(frame, 0, frame.length);
            }
            k.softints().drain();
            drainSocket();
            assertEquals(0, k.softints().failures(), "an exception escaped input processing");
        }

        private void drainSocket() {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(65536);
            try {
                while (true) {
                    b.clear();
                    k.syscalls().recvfrom(udpFd, b, 0, null);
                }
            } catch (io.jrump.kern.ErrnoException e) {
                // EAGAIN: the socket is empty again
            }
        }
    }

    private static byte[] ether(long dst, int type, byte[] payload) {
        byte[] f = new byte[EthernetFrame.HEADER_LEN + payload.length];
        new EthernetRepr(0x0200_0000_0099L, dst, type).emit(new EthernetFrame().wrap(f, 0, f.length));
        System.arraycopy(payload, 0, f, EthernetFrame.HEADER_LEN, payload.length);
        return f;
    }

    /** An IPv4 datagram with a correct header checksum around {@code body}, its fields drawn from {@code r}. */
    private static byte[] ipv4(SplittableRandom r, int proto, byte[] body) {
        int len = Math.min(Ipv4Packet.HEADER_LEN + body.length, 65535);
        byte[] p = new byte[len];
        Ipv4Packet ip = new Ipv4Packet().wrap(p, 0, len);
        ip.setVersionAndHeaderLength(Ipv4Packet.HEADER_LEN);
        ip.setTotalLength(r.nextInt(4) != 0 ? len : r.nextInt(65536));
        ip.setIdentification(r.nextInt(4));
        ip.setFlagsAndFragmentOffset(r.nextInt(4) == 0, r.nextInt(3) == 0,
                r.nextInt(3) == 0 ? r.nextInt(0x2000) * 8 & 0xfff8 : 0);
        ip.setTtl(r.nextInt(256));
        ip.setProtocol(proto);
        ip.setSource(r.nextInt(8) != 0 ? Ipv4Address.parse("198.18.0.1") : r.nextInt());
        ip.setDestination(r.nextInt(8) != 0 ? Ipv4Address.parse(r.nextBoolean() ? "198.18.0.2" : "198.18.0.255")
                : r.nextInt());
        System.arraycopy(body, 0, p, Ipv4Packet.HEADER_LEN, len - Ipv4Packet.HEADER_LEN);
        ip.fillChecksum();
        return p;
    }

    /** Gives a UDP datagram a length field that matches and no checksum, so it reaches socket delivery. */
    private static void fixUdp(byte[] p) {
        if (p.length >= Ipv4Packet.HEADER_LEN + 8) {
            int ulen = p.length - Ipv4Packet.HEADER_LEN;
            p[Ipv4Packet.HEADER_LEN + 4] = (byte) (ulen >>> 8);
            p[Ipv4Packet.HEADER_LEN + 5] = (byte) ulen;
            p[Ipv4Packet.HEADER_LEN + 6] = 0;
            p[Ipv4Packet.HEADER_LEN + 7] = 0;
        }
    }

    @FuzzTest
    void rawFrames(byte[] data) {
        Victim v = Victim.V;
        byte[] f = data.clone();
        if (f.length >= 6) {
            io.jrump.wire.MacAddress.write(f, 0, v.ifp.lladdr());
        }
        v.inject(f);
    }

    @FuzzTest
    void arpPackets(FuzzedDataProvider d) {
        Victim v = Victim.V;
        v.inject(ether(d.consumeBoolean() ? -1L & 0xffff_ffff_ffffL : v.ifp.lladdr(), EtherType.ARP,
                d.consumeRemainingAsBytes()));
    }

    @FuzzTest
    void ipDatagrams(FuzzedDataProvider d) {
        Victim v = Victim.V;
        SplittableRandom r = new SplittableRandom(d.consumeLong());
        int proto = d.pickValue(new int[] {IpProtocol.ICMP, IpProtocol.UDP, IpProtocol.TCP, 99});
        boolean fix = d.consumeBoolean();
        byte[] p = ipv4(r, proto, d.consumeRemainingAsBytes());
        if (proto == IpProtocol.UDP && fix) {
            fixUdp(p);
        }
        v.inject(ether(v.ifp.lladdr(), EtherType.IPV4, p));
    }

    /** A seeded random walk over the same targets, so every build covers more than the seed files. */
    @Test
    void seededMutations() throws Exception {
        Victim v = Victim.V;
        SplittableRandom r = new SplittableRandom(20261122);
        for (int i = 0; i < 3000; i++) {
            byte[] body = new byte[r.nextInt(0, 1600)];
            r.nextBytes(body);
            int kind = r.nextInt(4);
            if (kind == 0) {
                byte[] f = new byte[r.nextInt(0, 1600)];
                r.nextBytes(f);
                if (f.length >= 6) {
                    io.jrump.wire.MacAddress.write(f, 0, v.ifp.lladdr());
                }
                v.inject(f);
            } else if (kind == 1) {
                v.inject(ether(v.ifp.lladdr(), EtherType.ARP, body));
            } else {
                int proto = new int[] {IpProtocol.ICMP, IpProtocol.UDP, IpProtocol.TCP, 77}[r.nextInt(4)];
                byte[] p = ipv4(r, proto, body);
                if (proto == IpProtocol.UDP && r.nextBoolean()) {
                    fixUdp(p);
                }
                v.inject(ether(v.ifp.lladdr(), EtherType.IPV4, p));
            }
        }
        var st = TestNet.inet(v.k).ipStats();
        assertTrue(st.get("total packets received") > 1000, "the walk reached IP input");
        TestNet.sendEcho(v.k, "127.0.0.1", 8, 1);
        TestNet.await("the victim still answers its own ping", () -> TestNet.echoRepliesReceived(v.k) >= 1);
    }
}
