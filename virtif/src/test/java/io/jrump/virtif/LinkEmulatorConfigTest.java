package io.jrump.virtif;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LinkEmulatorConfigTest {
    @Test
    void parsesTheCompactForm() {
        LinkEmulatorConfig c = LinkEmulatorConfig.parse("loss=5%,delay=5ms,reorder=10%,dup=1%,corrupt=0.1%,rate=100mbit,seed=42");
        Impairments e = c.egress();
        assertEquals(0.05, e.loss());
        assertEquals(5_000_000L, e.delayNanos());
        assertEquals(0.10, e.reorder());
        assertEquals(0.01, e.duplicate());
        assertEquals(0.001, e.corrupt());
        assertEquals(100_000_000L, e.rateBitsPerSecond());
        assertEquals(Impairments.DEFAULT_REORDER_DELAY_NANOS, e.reorderDelayNanos());
        assertEquals(42, c.seed());
        assertEquals(Impairments.NONE, c.ingress());
        assertEquals(LinkEmulatorConfig.DEFAULT_QUEUE_FRAMES, c.queueFrames());
        assertEquals("delay=5ms,rate=100mbit,loss=5%,dup=1%,reorder=10%,corrupt=0.1%,seed=42", c.toString());
    }

    @Test
    void directionsLimitsAndUnitsRoundTrip() {
        String text = "delay=1500us,out.rate=1.5gbit,in.delay=2s,in.loss=0.01%,in.reorder-delay=250ns,"
                + "limit=5,limit-bytes=9000,seed=-3";
        LinkEmulatorConfig c = LinkEmulatorConfig.parse(text);
        assertEquals(1_500_000L, c.egress().delayNanos());
        assertEquals(1_500_000_000L, c.egress().rateBitsPerSecond());
        assertEquals(2_000_000_000L, c.ingress().delayNanos());
        assertEquals(0.0001, c.ingress().loss());
        assertEquals(250L, c.ingress().reorderDelayNanos());
        assertEquals(5, c.queueFrames());
        assertEquals(9000, c.queueBytes());
        assertEquals(-3, c.seed());
        assertEquals("delay=1500us,rate=1500mbit,in.delay=2s,in.loss=0.01%,in.reorder-delay=250ns,seed=-3,limit=5,"
                + "limit-bytes=9000", c.toString());
        assertEquals(c, LinkEmulatorConfig.parse(c.toString()));
    }

    @Test
    void spacesAndCaseAreForgiven() {
        assertEquals(LinkEmulatorConfig.parse("delay=5ms,loss=1%"), LinkEmulatorConfig.parse(" Delay = 5MS , LOSS=1% "));
    }

    @Test
    void thePerfectLinkIsNone() {
        assertSame(LinkEmulatorConfig.NONE, LinkEmulatorConfig.parse(""));
        assertSame(LinkEmulatorConfig.NONE, LinkEmulatorConfig.parse("none"));
        assertEquals("none", LinkEmulatorConfig.NONE.toString());
        assertTrue(Impairments.NONE.isNone());
    }

    @Test
    void randomConfigsRoundTripThroughToString() {
        SplittableRandom r = new SplittableRandom(1234);
        for (int i = 0; i < 2000; i++) {
            Impairments out = randomImpairments(r);
            Impairments in = randomImpairments(r);
            LinkEmulatorConfig c = new LinkEmulatorConfig(out, in, r.nextLong(), 1 + r.nextInt(5000),
                    14 + r.nextInt(1 << 30));
            assertEquals(c, LinkEmulatorConfig.parse(c.toString()), c.toString());
        }
    }

    private static Impairments randomImpairments(SplittableRandom r) {
        return new Impairments(r.nextBoolean() ? 0 : r.nextLong(10_000_000_000L),
                r.nextBoolean() ? 0 : r.nextLong(1, Impairments.MAX_RATE),
                probability(r), probability(r), probability(r), r.nextLong(100_000_000L), probability(r));
    }

    private static double probability(SplittableRandom r) {
        switch (r.nextInt(4)) {
            case 0:
                return 0;
            case 1:
                return r.nextInt(10_001) / 10_000.0;
            case 2:
                return r.nextDouble();
            default:
                return 1;
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "loss=5|loss: expected a percentage like 5% or 0.1%, got \"5\"",
        "loss=101%|loss=101%: a percentage must be between 0% and 100%",
        "loss=-1%|loss=-1%: a percentage must be between 0% and 100%",
        "loss=abc%|loss: expected a percentage like 5% or 0.1%, got \"abc%\"",
        "delay=5|delay: expected a duration like 5ms (units s, ms, us, ns), got \"5\"",
        "delay=5xs|delay: expected a duration like 5ms (units s, ms, us, ns), got \"5xs\"",
        "delay=-5ms|delay=-5ms: must not be negative",
        "delay=0.5ns|delay=0.5ns: not a whole number of ns or too large",
        "rate=100mbps|rate: expected a rate like 100mbit (units tbit, gbit, mbit, kbit, bit), got \"100mbps\"",
        "rate=2000tbit|rate above 1000tbit: 2000000000000000 bit/s",
        "foo=1|unknown key \"foo\"",
        "in.bar=1ms|unknown key \"in.bar\"",
        "loss|item \"loss\" is not key=value",
        "loss=1%,,delay=1ms|item \"\" is not key=value",
        "loss=1%,out.loss=2%|out.loss given twice",
        "limit=0|limit=0: must be between 1 and 1048576",
        "seed=x|seed: expected an integer, got \"x\"",
    })
    void badInputIsRejectedWithAMessageThatNamesIt(String text, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LinkEmulatorConfig.parse(text));
        assertTrue(e.getMessage().startsWith("link emulator config \"" + text + "\": "), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void recordsValidateTheirFields() {
        assertThrows(IllegalArgumentException.class, () -> Impairments.NONE.withLoss(1.5));
        assertThrows(IllegalArgumentException.class, () -> Impairments.NONE.withLoss(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Impairments.NONE.withDelay(-1));
        assertThrows(IllegalArgumentException.class, () -> LinkEmulatorConfig.NONE.withQueueLimit(0, 1000));
        assertThrows(IllegalArgumentException.class, () -> LinkEmulatorConfig.NONE.withQueueLimit(10, 13));
        assertEquals(Impairments.NONE, Impairments.NONE.withLoss(-0.0));
    }
}
