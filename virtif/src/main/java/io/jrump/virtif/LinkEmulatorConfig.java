package io.jrump.virtif;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.base.Splitter;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Everything a {@link LinkEmulator} does: the impairments of each direction, the seed of its random
 * choices, and the bounds of the queue of frames it holds back.
 *
 * <p>The compact form is what a test or a command line writes, netem-like:
 * <pre>
 *   loss=5%,delay=5ms,reorder=10%,dup=1%,corrupt=0.1%,rate=100mbit,seed=42
 * </pre>
 * Per-direction keys are {@code delay}, {@code rate}, {@code loss}, {@code dup}, {@code reorder},
 * {@code reorder-delay} and {@code corrupt}. Unprefixed (or {@code out.}-prefixed) they shape egress,
 * what the emulated interface sends, as a netem qdisc shapes what a Linux interface sends; prefixed
 * with {@code in.} they shape ingress, what it receives. {@code seed}, {@code limit} (frames held at
 * most, per direction) and {@code limit-bytes} (their bytes) apply to both. Durations take s, ms, us or
 * ns; rates tbit, gbit, mbit, kbit or bit (powers of 1000, as in tc); probabilities are percentages.
 * {@code none} (or the empty string) is the perfect link. {@link #toString()} prints the non-default
 * settings in this form, and {@link #parse} reads it back to an equal config.
 *
 * @param egress what happens to frames sent through the emulator
 * @param ingress what happens to frames arriving through it
 * @param seed seeds every random choice, so a run can be replayed
 * @param queueFrames most frames held back per direction; more are dropped and counted
 * @param queueBytes most bytes of frames held back per direction; more are dropped and counted. The
 *     buffers behind them stay below twice this plus 64 bytes per frame of {@code queueFrames}
 */
public record LinkEmulatorConfig(Impairments egress, Impairments ingress, long seed, int queueFrames, long queueBytes) {
    /** The items of the compact form; an empty item stays, to be reported. */
    static final Splitter ITEMS = Splitter.on(',').trimResults();
    /** An item's key and value: split at the first '=' only. */
    private static final Splitter KEY_VALUE = Splitter.on('=').trimResults().limit(2);
    /** netem's default queue limit. */
    public static final int DEFAULT_QUEUE_FRAMES = 1000;
    public static final long DEFAULT_QUEUE_BYTES = 16L << 20;
    /** Largest {@code limit}: the held-frame bookkeeping grows with it. */
    public static final int MAX_QUEUE_FRAMES = 1 << 20;
    /** Largest {@code limit-bytes}, 1 TiB: far beyond any heap, and small enough for the pool's arithmetic. */
    public static final long MAX_QUEUE_BYTES = 1L << 40;

    /** A perfect link. */
    public static final LinkEmulatorConfig NONE =
            new LinkEmulatorConfig(Impairments.NONE, Impairments.NONE, 0, DEFAULT_QUEUE_FRAMES, DEFAULT_QUEUE_BYTES);

    public LinkEmulatorConfig {
        checkNotNull(egress, "egress");
        checkNotNull(ingress, "ingress");
        checkArgument(queueFrames >= 1 && queueFrames <= MAX_QUEUE_FRAMES, "limit must be between 1 and %s: %s",
                MAX_QUEUE_FRAMES, queueFrames);
        checkArgument(queueBytes >= EtherLink.HEADER_LEN && queueBytes <= MAX_QUEUE_BYTES,
                "limit-bytes must be between %s and %s: %s", EtherLink.HEADER_LEN, MAX_QUEUE_BYTES, queueBytes);
    }

    /** Impairs what the interface sends only, as a netem qdisc does. */
    public static LinkEmulatorConfig egress(Impairments egress, long seed) {
        return NONE.withEgress(egress).withSeed(seed);
    }

    public LinkEmulatorConfig withEgress(Impairments i) {
        return new LinkEmulatorConfig(i, ingress, seed, queueFrames, queueBytes);
    }

    public LinkEmulatorConfig withIngress(Impairments i) {
        return new LinkEmulatorConfig(egress, i, seed, queueFrames, queueBytes);
    }

    public LinkEmulatorConfig withSeed(long s) {
        return new LinkEmulatorConfig(egress, ingress, s, queueFrames, queueBytes);
    }

    public LinkEmulatorConfig withQueueLimit(int frames, long bytes) {
        return new LinkEmulatorConfig(egress, ingress, seed, frames, bytes);
    }

    /**
     * Parses the compact form described above.
     *
     * @throws IllegalArgumentException naming the offending item and what was expected, for an unknown
     *     or repeated key, an item without '=', or a value out of range or without its unit
     */
    public static LinkEmulatorConfig parse(String text) {
        checkNotNull(text, "text");
        String trimmed = text.trim();
        if (trimmed.isEmpty() || trimmed.equalsIgnoreCase("none")) {
            return NONE;
        }
        Impairments out = Impairments.NONE;
        Impairments in = Impairments.NONE;
        long seed = NONE.seed;
        int frames = NONE.queueFrames;
        long bytes = NONE.queueBytes;
        Set<String> seen = new HashSet<>();
        for (String it : ITEMS.split(trimmed)) {
            List<String> kv = KEY_VALUE.splitToList(it);
            if (kv.size() != 2 || kv.get(0).isEmpty()) {
                throw new IllegalArgumentException("link emulator config \"" + text + "\": item \"" + it
                        + "\" is not key=value");
            }
            String key = kv.get(0).toLowerCase(Locale.ROOT);
            String value = kv.get(1).toLowerCase(Locale.ROOT);
            String canonical = key.startsWith("out.") ? key.substring(4) : key;
            if (!seen.add(canonical)) {
                throw new IllegalArgumentException("link emulator config \"" + text + "\": " + key + " given twice");
            }
            try {
                switch (canonical) {
                    case "seed":
                        seed = ConfigSyntax.parseInteger(key, value, Long.MIN_VALUE, Long.MAX_VALUE);
                        break;
                    case "limit":
                        frames = (int) ConfigSyntax.parseInteger(key, value, 1, MAX_QUEUE_FRAMES);
                        break;
                    case "limit-bytes":
                        bytes = ConfigSyntax.parseInteger(key, value, EtherLink.HEADER_LEN, MAX_QUEUE_BYTES);
                        break;
                    default:
                        if (canonical.startsWith("in.")) {
                            in = apply(in, canonical.substring(3), key, value);
                        } else {
                            out = apply(out, canonical, key, value);
                        }
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("link emulator config \"" + text + "\": " + e.getMessage(), e);
            }
        }
        return new LinkEmulatorConfig(out, in, seed, frames, bytes);
    }

    private static Impairments apply(Impairments i, String name, String key, String value) {
        switch (name) {
            case "delay":
                return i.withDelay(ConfigSyntax.parseDuration(key, value));
            case "rate":
                return i.withRate(ConfigSyntax.parseRate(key, value));
            case "loss":
                return i.withLoss(ConfigSyntax.parsePercent(key, value));
            case "dup":
                return i.withDuplicate(ConfigSyntax.parsePercent(key, value));
            case "reorder":
                return i.withReorder(ConfigSyntax.parsePercent(key, value), i.reorderDelayNanos());
            case "reorder-delay":
                return i.withReorder(i.reorder(), ConfigSyntax.parseDuration(key, value));
            case "corrupt":
                return i.withCorrupt(ConfigSyntax.parsePercent(key, value));
            default:
                throw new IllegalArgumentException("unknown key \"" + key + "\" (known: delay, rate, loss, dup, reorder,"
                        + " reorder-delay, corrupt, each also as in.KEY; seed, limit, limit-bytes)");
        }
    }

    /** The compact form of the settings that differ from {@link #NONE}; {@code none} if there are none. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        format(sb, "", egress);
        format(sb, "in.", ingress);
        if (seed != NONE.seed) {
            item(sb, "seed", Long.toString(seed));
        }
        if (queueFrames != NONE.queueFrames) {
            item(sb, "limit", Integer.toString(queueFrames));
        }
        if (queueBytes != NONE.queueBytes) {
            item(sb, "limit-bytes", Long.toString(queueBytes));
        }
        return sb.length() == 0 ? "none" : sb.toString();
    }

    private static void format(StringBuilder sb, String prefix, Impairments i) {
        Impairments d = Impairments.NONE;
        if (i.delayNanos() != d.delayNanos()) {
            item(sb, prefix + "delay", ConfigSyntax.formatDuration(i.delayNanos()));
        }
        if (i.rateBitsPerSecond() != d.rateBitsPerSecond()) {
            item(sb, prefix + "rate", ConfigSyntax.formatRate(i.rateBitsPerSecond()));
        }
        if (i.loss() != d.loss()) {
            item(sb, prefix + "loss", ConfigSyntax.formatPercent(i.loss()));
        }
        if (i.duplicate() != d.duplicate()) {
            item(sb, prefix + "dup", ConfigSyntax.formatPercent(i.duplicate()));
        }
        if (i.reorder() != d.reorder()) {
            item(sb, prefix + "reorder", ConfigSyntax.formatPercent(i.reorder()));
        }
        if (i.reorderDelayNanos() != d.reorderDelayNanos()) {
            item(sb, prefix + "reorder-delay", ConfigSyntax.formatDuration(i.reorderDelayNanos()));
        }
        if (i.corrupt() != d.corrupt()) {
            item(sb, prefix + "corrupt", ConfigSyntax.formatPercent(i.corrupt()));
        }
    }

    private static void item(StringBuilder sb, String key, String value) {
        if (sb.length() > 0) {
            sb.append(',');
        }
        sb.append(key).append('=').append(value);
    }
}
