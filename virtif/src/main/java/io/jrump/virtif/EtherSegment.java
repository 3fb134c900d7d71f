package io.jrump.virtif;

import java.util.Objects;

/**
 * An Ethernet segment in this JVM that hands out ports: a {@link Hub} (every frame to every port) or a
 * {@link LearningSwitch} (unicast to the one port behind the destination). Code that wires kernels together
 * takes either, since a port is an {@link EtherLink} in both, and both deliver through the same {@link PortSet}.
 */
public abstract sealed class EtherSegment permits Hub, LearningSwitch {
    private final String name;
    private final PortSet ports;

    /** A segment of {@code kind} whose frames all go to every port ({@code floods}), or where {@link #route} says. */
    EtherSegment(String name, String kind, int maxFrame, boolean floods) {
        this.name = Objects.requireNonNull(name, "name");
        this.ports = new PortSet(name, kind, maxFrame, floods ? null : this::route);
    }

    /**
     * The port a frame from {@code from} goes to, as {@link PortSet.Forwarding#route}: null to flood, {@code from}
     * to drop. Only for a segment that does not flood everything.
     */
    HubPort route(HubPort from, byte[] frame, int off, int len) {
        return null;
    }

    /**
     * A new port, attached at once (amortised O(1)); it gets frames sent after this returns. Wrap it in a
     * {@link LinkEmulator} to impair what crosses it.
     */
    public final EtherLink attach() {
        return ports.attach();
    }

    public final String name() {
        return name;
    }

    /** The largest frame, header included, the segment carries. */
    public final int maxFrame() {
        return ports.maxFrame();
    }

    /** Ports attached and not yet closed. */
    public final int portCount() {
        return ports.count();
    }

    @Override
    public String toString() {
        return ports.toString();
    }
}
