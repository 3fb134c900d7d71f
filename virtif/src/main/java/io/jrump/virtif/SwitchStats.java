package io.jrump.virtif;

/**
 * What a {@link LearningSwitch} did with the frames it carried ({@code brconfig}'s view of a bridge).
 *
 * @param forwarded frames sent to the one port behind their destination
 * @param flooded frames sent to every port but their ingress: broadcast, multicast, and unicast to an address
 *     not learned (or aged out)
 * @param filtered frames dropped because their destination is behind the port they came in on
 * @param arpDirected broadcast ARP requests sent only to their target's port (ARP suppression)
 * @param arpSuppressed gratuitous ARPs sent nowhere because they announced a binding the switch had, or none it
 *     had another MAC for (ARP suppression)
 * @param addresses MAC addresses in the forwarding table now, aged ones included until they are met
 */
public record SwitchStats(long forwarded, long flooded, long filtered, long arpDirected, long arpSuppressed,
        int addresses) {
}
