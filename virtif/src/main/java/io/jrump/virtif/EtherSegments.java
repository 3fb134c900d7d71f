package io.jrump.virtif;

import io.jrump.hypercall.HyperClock;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Named in-process segments that a {@code shmif} interface's {@code linkstr} can put it on, for the kernels of one
 * JVM that are given the same set: {@code ifconfig shmif0 linkstr switch:lab} attaches it to the
 * {@link LearningSwitch} named {@code lab}, {@code linkstr hub:lab} to the {@link Hub} of that name; either is
 * made on first use, as the shmif bus file is. Any other linkstr is a bus file's path, as before (a file whose
 * name starts with {@code switch:} is reached as {@code ./switch:...}).
 *
 * <p>A file path is a name every process can see; an in-process segment needs a namespace that the kernels sharing
 * it share, and the JVM offers none that is not global state. So the set is an object the embedder makes and
 * hands to each kernel's {@code rumpnet_shmif} ({@link ShmifComponent#ShmifComponent(EtherSegments)}, through the
 * kernel's component registry): kernels given the same set meet on its segments, kernels given another set, or
 * none, do not. The embedder may also take a segment from the set to configure it ({@link #learningSwitch}).
 */
public final class EtherSegments {
    /** The linkstr prefix that names a learning switch. */
    public static final String SWITCH = "switch:";
    /** The linkstr prefix that names a hub. */
    public static final String HUB = "hub:";

    private final HyperClock clock;
    private final ConcurrentMap<String, EtherSegment> byName = new ConcurrentHashMap<>();

    /** A set whose switches age their tables by {@code clock}. */
    public EtherSegments(HyperClock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The switch named {@code name}, made now if there is none. */
    public LearningSwitch learningSwitch(String name) {
        return get(name, LearningSwitch.class);
    }

    /** The hub named {@code name}, made now if there is none. */
    public Hub hub(String name) {
        return get(name, Hub.class);
    }

    private <T extends EtherSegment> T get(String name, Class<T> kind) {
        if (name.isEmpty()) {
            throw new IllegalArgumentException("a segment needs a name");
        }
        EtherSegment s = byName.computeIfAbsent(name,
                n -> kind == Hub.class ? new Hub(n) : new LearningSwitch(n, clock));
        if (!kind.isInstance(s)) {
            throw new IllegalArgumentException("'" + name + "' is a " + s.getClass().getSimpleName()
                    + ", not a " + kind.getSimpleName());
        }
        return kind.cast(s);
    }

    /**
     * A new port on the segment {@code linkstr} names ({@code switch:NAME}, {@code hub:NAME}), or null if it names
     * none (a bus file).
     *
     * @throws IllegalArgumentException if it names a segment of {@code set} that is of the other kind, or if
     *     {@code set} is null: the kernel was not given a set to find it in
     */
    static EtherLink attach(EtherSegments set, String linkstr) {
        boolean sw = linkstr.startsWith(SWITCH);
        if (!sw && !linkstr.startsWith(HUB)) {
            return null;
        }
        if (set == null) {
            throw new IllegalArgumentException("this kernel's rumpnet_shmif was given no in-process segments");
        }
        String name = linkstr.substring(sw ? SWITCH.length() : HUB.length());
        return sw ? set.learningSwitch(name).attach() : set.hub(name).attach();
    }
}
