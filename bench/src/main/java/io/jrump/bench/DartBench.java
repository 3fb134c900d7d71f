package io.jrump.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bench/run dart} (issue 19): the DART mechanisms of seed {@code 002_ccda36a12d849efc}, in three parts,
 * each a {@link Part} that prints what it measured and returns its RESULT keys; the last line joins them all.
 *
 * <ol>
 * <li>Long fat pipe ({@code bdp_fraction_*}), default buffers, autosizing and {@code if_sockbuf}: {@link DartLfp}.
 * <li>CPU time per byte of a bulk transfer at {@code if_buflen} 64 KB against segmentation at the 1500-byte MTU
 * with offload off ({@code cpu_per_byte_ratio}): {@link DartCpuPerByte}.
 * <li>CPU per 60 KB UDP datagram, fragment boundaries precomputed by the socket layer against fragmenting after
 * the fact ({@code udp_frag_cpu_ratio}): {@link DartUdpFrag}.
 * </ol>
 *
 * <p>{@code bench/run dart only=lfp|cpu|udp} runs one part (the RESULT line then holds its keys alone).
 */
public final class DartBench {
    /** One part of the benchmark: prints its own lines, returns its RESULT keys in order. */
    public interface Part {
        /** A short name for {@code only=}: lfp, cpu, udp. */
        String name();

        Map<String, String> run() throws Exception;
    }

    private DartBench() {
    }

    public static void main(String[] args) throws Exception {
        String only = null;
        for (String a : args) {
            String[] kv = a.replaceFirst("^-+", "").split("=", 2);
            if (kv.length != 2 || !kv[0].equals("only")) {
                System.err.println("usage: bench/run dart [only=lfp|cpu|udp]");
                System.exit(2);
            }
            only = kv[1];
        }
        System.out.println("command: bench/run dart" + (only == null ? "" : " only=" + only));
        System.out.println("host: " + Runtime.getRuntime().availableProcessors() + " cpus; load average " + loadavg()
                + " (other work on the machine raises CPU figures; the ratios are taken within one run)");
        Map<String, String> keys = new LinkedHashMap<>();
        for (Part p : parts()) {
            if (only != null && !only.equals(p.name())) {
                continue;
            }
            keys.putAll(p.run());
        }
        StringBuilder line = new StringBuilder("RESULT dart");
        keys.forEach((k, v) -> line.append(' ').append(k).append('=').append(v));
        System.out.println("load average after: " + loadavg());
        System.out.println(line);
    }

    /** The parts in the order. */
    static List<Part> parts() {
        return List.of(new DartLfp(), new DartCpuPerByte(), new DartUdpFrag());
    }

    static String loadavg() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
