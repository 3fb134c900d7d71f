package io.jrump.wire;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Deterministic mutations of the golden inputs fed to the fuzz target bodies, so that every {@code mvn test} also
 * exercises them beyond the fixed seed corpus that Jazzer's regression mode replays. Seeded, so a failure repeats.
 */
class MutationTest {
    private static final int ROUNDS = 4000;

    private final WireFuzzTest targets = new WireFuzzTest();

    @Test
    void framesSurviveMutation() {
        mutateAll(0xe7, Arrays.stream(Golden.CAPTURED_FRAMES).map(Golden::bytes).toArray(byte[][]::new),
                targets::frame, targets::ethernet);
    }

    @Test
    void arpSurvivesMutation() {
        mutateAll(0x806, new byte[][] {
            RefChecksum.slice(Golden.bytes(Golden.ARP_REQUEST_FRAME), 14, 28),
            RefChecksum.slice(Golden.bytes(Golden.ARP_REPLY_FRAME), 14, 28)}, targets::arp);
    }

    @Test
    void ipv4SurvivesMutation() {
        byte[][] seeds = new byte[Golden.CAPTURED_FRAMES.length - 2][];
        for (int i = 2; i < Golden.CAPTURED_FRAMES.length; i++) {
            seeds[i - 2] = flagged(1, Golden.l3(Golden.CAPTURED_FRAMES[i]));
        }
        mutateAll(0x800, seeds, targets::ipv4);
    }

    @Test
    void icmpSurvivesMutation() {
        mutateAll(1, new byte[][] {
            flagged(1, Golden.l4(Golden.ECHO_REQUEST_FRAME)),
            flagged(1, Golden.l4(Golden.PORT_UNREACHABLE_FRAME)),
            flagged(1, Golden.bytes(Golden.FRAG_NEEDED_ICMP)),
            flagged(1, Golden.bytes(Golden.TIME_EXCEEDED_ICMP))}, targets::icmp);
    }

    @Test
    void udpSurvivesMutation() {
        mutateAll(17, new byte[][] {
            prefixed(1, Golden.HOST_A, Golden.HOST_B, Golden.l4(Golden.UDP_FRAME))}, targets::udp);
    }

    @Test
    void tcpSurvivesMutation() {
        mutateAll(6, new byte[][] {
            prefixed(1, Golden.HOST_A, Golden.HOST_B, Golden.l4(Golden.TCP_SYN_FRAME)),
            prefixed(1, Golden.HOST_A, Golden.HOST_B, Golden.l4(Golden.TCP_ACK_FRAME)),
            prefixed(1, Golden.HOST_B, Golden.HOST_A, Golden.bytes(Golden.TCP_SACK_SEGMENT)),
            prefixed(1, Golden.HOST_B, Golden.HOST_A, Golden.bytes(Golden.TCP_PACKED_SEGMENT))},
                targets::tcp);
    }

    @Test
    void tcpOptionAreasSurviveMutation() {
        byte[] syn = Golden.l4(Golden.TCP_SYN_FRAME);
        byte[] sack = Golden.bytes(Golden.TCP_SACK_SEGMENT);
        mutateAll(40, new byte[][] {RefChecksum.slice(syn, 20, 20), RefChecksum.slice(sack, 20, 40)},
                targets::tcpOptions);
    }

    static byte[] flagged(int flags, byte[] message) {
        byte[] out = new byte[1 + message.length];
        out[0] = (byte) flags;
        System.arraycopy(message, 0, out, 1, message.length);
        return out;
    }

    static byte[] prefixed(int flags, int src, int dst, byte[] message) {
        byte[] out = new byte[WireFuzzTest.PREFIX + message.length];
        out[0] = (byte) flags;
        Ipv4Address.write(out, 1, src);
        Ipv4Address.write(out, 5, dst);
        System.arraycopy(message, 0, out, WireFuzzTest.PREFIX, message.length);
        return out;
    }

    @SafeVarargs
    private static void mutateAll(long seed, byte[][] seeds, java.util.function.Consumer<byte[]>... bodies) {
        SplittableRandom r = new SplittableRandom(seed);
        for (int round = 0; round < ROUNDS; round++) {
            byte[] input = mutate(r, seeds[r.nextInt(seeds.length)]);
            for (java.util.function.Consumer<byte[]> body : bodies) {
                try {
                    body.accept(input);
                } catch (RuntimeException | AssertionError e) {
                    throw new AssertionError("input " + Hex.string(input), e);
                }
            }
        }
    }

    private static byte[] mutate(SplittableRandom r, byte[] seed) {
        byte[] b = seed.clone();
        int edits = 1 + r.nextInt(4);
        for (int i = 0; i < edits && b.length > 0; i++) {
            int at = r.nextInt(b.length);
            switch (r.nextInt(5)) {
                case 0:
                    b[at] ^= (byte) (1 << r.nextInt(8));
                    break;
                case 1:
                    b[at] = (byte) r.nextInt(256);
                    break;
                case 2:
                    b[at] = (byte) (r.nextBoolean() ? 0 : r.nextInt(0, 3));
                    break;
                case 3:
                    b = Arrays.copyOf(b, r.nextInt(b.length + 1));
                    break;
                default:
                    b = Arrays.copyOf(b, b.length + r.nextInt(1, 9));
                    break;
            }
        }
        return b;
    }
}
