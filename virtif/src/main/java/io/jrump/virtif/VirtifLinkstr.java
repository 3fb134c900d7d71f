package io.jrump.virtif;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@code ifconfig virtN linkstr STRING} says: which Linux tap the interface uses, and optionally
 * a {@link LinkEmulator} between the tap and the interface, so that loss and delay can be set from the
 * command line on a host whose kernel has no {@code netem} qdisc.
 *
 * <pre>
 *   tap3                                       the interface uses tap3
 *   tap3,loss=5%,delay=5ms,reorder=10%,seed=1  tap3, its frames impaired as the LinkEmulatorConfig says
 *   loss=5%,in.loss=5%,seed=7                  the same tap as now, a new emulator
 *   none                                       the same tap as now, no emulator
 *   tap3,-tso4                                 tap3 without checksum and segmentation offload
 *   -tso4                                      offload off; tap and emulator stay as they are
 * </pre>
 *
 * {@code tso4} and {@code -tso4}, anywhere in the list, turn the tap's offload on and off (the names of
 * NetBSD's ifconfig capability; here the one flag covers TCP/IPv4 checksum and segmentation offload in both
 * directions, see {@link VirtifDriver}); without either the interface keeps its setting, and a linkstr of
 * nothing else changes nothing else. Of the rest, the
 * first item is a tap name unless it contains {@code '='} or is {@code none}; what follows is the emulator
 * config in {@link LinkEmulatorConfig#parse}'s form (unprefixed keys shape what the interface sends,
 * {@code in.} keys what it receives).
 *
 * @param tap the tap's host name, or null to keep the current one
 * @param emulator the emulator, or null for a direct link
 * @param offload true or false to turn offload on or off, null to keep the current setting
 * @param linkGiven false if the linkstr only set the offload: tap and emulator stay
 */
record VirtifLinkstr(String tap, LinkEmulatorConfig emulator, Boolean offload, boolean linkGiven) {
    /** The linkstr item that turns offload on; {@code -tso4} turns it off. */
    static final String TSO4 = "tso4";

    /** @throws IllegalArgumentException naming what is wrong with {@code s} */
    static VirtifLinkstr parse(String s) {
        checkArgument(!s.isBlank(), "empty linkstr: give a tap name, emulator settings, or both");
        Boolean offload = null;
        List<String> kept = new ArrayList<>();
        for (String i : LinkEmulatorConfig.ITEMS.split(s.trim())) {
            if (i.equalsIgnoreCase(TSO4) || i.equalsIgnoreCase("-" + TSO4)) {
                boolean on = i.charAt(0) != '-';
                checkArgument(offload == null || offload == on, "both %s and -%s", TSO4, TSO4);
                offload = on;
            } else {
                kept.add(i);
            }
        }
        if (kept.size() == 1 && kept.get(0).isEmpty() || kept.isEmpty()) {
            return new VirtifLinkstr(null, null, offload, false);
        }
        String first = kept.get(0);
        String tap = null;
        List<String> emulator = kept;
        if (first.indexOf('=') < 0 && !first.equalsIgnoreCase("none")) {
            checkArgument(VirtifUser.validName(first), "'%s' is not a Linux interface name (1 to %s characters, "
                    + "no '/', ':', '%' or white space)", first, VirtifUser.MAX_NAME);
            tap = first;
            emulator = kept.subList(1, kept.size());
        }
        LinkEmulatorConfig c = LinkEmulatorConfig.parse(String.join(",", emulator));
        boolean perfect = c.egress().isNone() && c.ingress().isNone();
        return new VirtifLinkstr(tap, perfect ? null : c, offload, true);
    }
}
