package io.jrump.hypercall;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SeededRandomTest {

    private static byte[] bytes(HyperRandom r, int n) {
        byte[] b = new byte[n];
        r.fill(b, 0, n);
        return b;
    }

    @Test
    void sameSeedGivesTheSameBytes() {
        SeededRandom a = new SeededRandom(2024);
        SeededRandom b = new SeededRandom(2024);
        assertArrayEquals(bytes(a, 64), bytes(b, 64));
        assertArrayEquals(bytes(a, 7), bytes(b, 7), "and keeps agreeing as the sequence goes on");
        assertEquals(a.nextLong(), b.nextLong());
    }

    @Test
    void differentSeedsGiveDifferentBytes() {
        assertFalse(Arrays.equals(bytes(new SeededRandom(1), 64), bytes(new SeededRandom(2), 64)));
        assertNotEquals(new SeededRandom(1).nextLong(), new SeededRandom(2).nextLong());
    }

    @Test
    void successiveFillsDiffer() {
        SeededRandom r = new SeededRandom(7);
        assertFalse(Arrays.equals(bytes(r, 32), bytes(r, 32)));
    }

    @Test
    void fillWritesOnlyTheRequestedRange() {
        byte[] b = new byte[16];
        Arrays.fill(b, (byte) 0x5a);
        new SeededRandom(3).fill(b, 4, 8);
        for (int i = 0; i < 4; i++) {
            assertEquals(0x5a, b[i]);
            assertEquals(0x5a, b[12 + i]);
        }
        byte[] expected = bytes(new SeededRandom(3), 8);
        assertArrayEquals(expected, Arrays.copyOfRange(b, 4, 12));
    }

    @Test
    void hostRandomFillsWithOffsetAndDiffers() {
        HyperRandom r = HostHypercall.create().random();
        byte[] b = new byte[48];
        r.fill(b, 8, 32);
        for (int i = 0; i < 8; i++) {
            assertEquals(0, b[i]);
            assertEquals(0, b[40 + i]);
        }
        assertFalse(Arrays.equals(new byte[32], Arrays.copyOfRange(b, 8, 40)), "32 random bytes are not all zero");
        assertFalse(Arrays.equals(bytes(r, 32), bytes(r, 32)));
    }
}
