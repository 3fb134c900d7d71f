package io.jrump.virtif;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** What {@code ifconfig virtN linkstr STRING} means, and the message for each kind of bad one. */
class VirtifLinkstrTest {
    @Test
    void aTapAnEmulatorAndTheOffloadFlagAreReadInAnyCombination() {
        assertEquals(new VirtifLinkstr("tap3", null, null, true), VirtifLinkstr.parse("tap3"));
        assertEquals(new VirtifLinkstr("tap3", LinkEmulatorConfig.parse("loss=5%,seed=1"), false, true),
                VirtifLinkstr.parse(" tap3 , loss=5% ,-tso4, seed=1"));
        assertEquals(new VirtifLinkstr(null, LinkEmulatorConfig.parse("in.loss=5%"), null, true),
                VirtifLinkstr.parse("in.loss=5%"));
        assertEquals(new VirtifLinkstr(null, null, null, true), VirtifLinkstr.parse("none"));
        assertEquals(new VirtifLinkstr(null, null, true, false), VirtifLinkstr.parse("tso4"));
        assertEquals(new VirtifLinkstr(null, null, false, false), VirtifLinkstr.parse("-TSO4,"));
    }

    @Test
    void badLinkstrsNameWhatIsWrong() {
        assertBad("", "empty linkstr: give a tap name, emulator settings, or both");
        assertBad("tso4,-tso4", "both tso4 and -tso4");
        assertBad("a/b", "'a/b' is not a Linux interface name (1 to 15 characters, no '/', ':', '%' or white space)");
        assertBad("tap1,bogus=1", "link emulator config \"bogus=1\": unknown key \"bogus\"");
        assertBad("tap1,loss", "link emulator config \"loss\": item \"loss\" is not key=value");
        assertBad("tap1,seed=1x", "link emulator config \"seed=1x\": seed: expected an integer, got \"1x\"");
    }

    private static void assertBad(String linkstr, String messageStart) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VirtifLinkstr.parse(linkstr));
        assertEquals(messageStart, e.getMessage().substring(0, Math.min(messageStart.length(), e.getMessage().length())),
                e.getMessage());
    }
}
