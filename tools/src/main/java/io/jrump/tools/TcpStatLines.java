package io.jrump.tools;

import java.io.PrintStream;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code tcp:} section of {@code netstat -s}, laid out as NetBSD's {@code tcp_stats()} in
 * {@code usr.bin/netstat/inet.c} lays it out: the same order, indentation and sentences, pairs of
 * counters on one line, "s" added when a count is not one. The kernel publishes each counter under
 * {@code net.inet.tcp.stats} with its description; a line here names the descriptions it prints.
 * Counters that NetBSD has no line for (SACK, challenge ACKs, TIME_WAIT) get lines in the same style
 * (FreeBSD's words where FreeBSD has them), and a counter this table does not know, or a line whose
 * counters the kernel no longer has, is printed on its own with its description rather than hidden.
 */
final class TcpStatLines {
    /**
     * One output line: {@code format} holds {@code {N}} for the value of {@code counters[N]} and
     * {@code {sN}} for its plural "s".
     */
    private record Line(String format, String... counters) {
    }

    private static final List<Line> LINES = List.of(
            new Line("\t{0} packet{s0} sent", "packets sent"),
            new Line("\t\t{0} data packet{s0} ({1} byte{s1})", "data packets sent", "data bytes sent"),
            new Line("\t\t{0} data packet{s0} ({1} byte{s1}) retransmitted", "data packets retransmitted",
                    "data bytes retransmitted"),
            new Line("\t\t{0} ack-only packet{s0} ({1} delayed)", "ack-only packets", "ack-only packets delayed"),
            new Line("\t\t{0} window probe packet{s0}", "window probe packets"),
            new Line("\t\t{0} window update packet{s0}", "window update packets"),
            new Line("\t\t{0} control packet{s0}", "control packets"),
            new Line("\t\t{0} reset{s0} sent", "resets sent"),
            new Line("\t{0} packet{s0} received", "packets received"),
            new Line("\t\t{0} ack{s0} (for {1} byte{s1})", "acks received", "bytes acked"),
            new Line("\t\t{0} duplicate ack{s0}", "duplicate acks"),
            new Line("\t\t{0} ack{s0} for unsent data", "acks for unsent data"),
            new Line("\t\t{0} packet{s0} ({1} byte{s1}) received in-sequence", "packets received in-sequence",
                    "bytes received in-sequence"),
            new Line("\t\t{0} completely duplicate packet{s0} ({1} byte{s1})", "completely duplicate packets",
                    "completely duplicate bytes"),
            new Line("\t\t{0} old duplicate packet{s0}", "segments dropped by PAWS"),
            new Line("\t\t{0} out-of-order packet{s0} ({1} byte{s1})", "out-of-order packets", "out-of-order bytes"),
            new Line("\t\t{0} packet{s0} of data after window", "packets of data after window"),
            new Line("\t\t{0} window probe{s0}", "window probes received"),
            new Line("\t\t{0} window update packet{s0}", "window update packets received"),
            new Line("\t\t{0} packet{s0} received after close", "packets received after close"),
            new Line("\t\t{0} discarded for bad checksum{s0}", "discarded for bad checksums"),
            new Line("\t\t{0} discarded for bad header offset field{s0}", "discarded for bad header offset fields"),
            new Line("\t\t{0} discarded because packet too short", "discarded because packet too short"),
            new Line("\t\t{0} discarded for an unacceptable ack", "segments with an unacceptable ACK"),
            new Line("\t\t{0} discarded for a full reassembly queue", "segments dropped for a full reassembly queue"),
            new Line("\t\t{0} reset{s0} received ({1} ignored)", "resets received", "resets ignored"),
            new Line("\t{0} connection request{s0}", "connection requests"),
            new Line("\t{0} connection accept{s0}", "connection accepts"),
            new Line("\t{0} connection{s0} established (including accepts)",
                    "connections established (including accepts)"),
            new Line("\t{0} connection{s0} closed (including {1} drop{s1})", "connections closed",
                    "connections dropped"),
            new Line("\t{0} embryonic connection{s0} dropped", "embryonic connections dropped"),
            new Line("\t{0} segment{s0} updated rtt", "segments updated rtt"),
            new Line("\t{0} retransmit timeout{s0}", "retransmit timeouts"),
            new Line("\t\t{0} connection{s0} dropped by rexmit timeout", "connections dropped by retransmit timeout"),
            new Line("\t{0} persist timeout{s0}", "persist timeouts"),
            new Line("\t{0} keepalive timeout{s0}", "keepalive timeouts"),
            new Line("\t\t{0} keepalive probe{s0} sent", "keepalive probes sent"),
            new Line("\t\t{0} connection{s0} dropped by keepalive", "connections dropped by keepalive"),
            new Line("\t{0} correct ACK header prediction{s0}", "correct ACK header predictions"),
            new Line("\t{0} correct data packet header prediction{s0}", "correct data packet header predictions"),
            new Line("\t{0} dropped due to no socket", "segments to a port nobody listens on"),
            new Line("\t{0} listen queue overflow{s0}", "times the listen queue of a socket overflowed"),
            new Line("\t{0} bad connection attempt{s0}", "bad SYNs dropped"),
            new Line("\t{0} SYN cache entries added", "SYN cache entries added"),
            new Line("\t\t{0} completed", "SYN cache entries completed"),
            new Line("\t\t{0} aborted (no space to build PCB)", "SYN cache entries aborted (no socket)"),
            new Line("\t\t{0} timed out", "SYN cache entries timed out"),
            new Line("\t\t{0} dropped due to overflow", "SYN cache entries dropped due to overflow"),
            new Line("\t\t{0} dropped due to bucket overflow", "SYN cache entries dropped due to bucket overflow"),
            new Line("\t\t{0} dropped due to RST", "SYN cache entries dropped due to RST"),
            new Line("\t{0} SYN,ACK{s0} retransmitted", "SYN,ACKs retransmitted"),
            new Line("\t{0} duplicate SYN{s0} received for entries already in the cache",
                    "duplicate SYNs received for entries already in the cache"),
            new Line("\t{0} fast retransmit{s0}", "fast retransmits"),
            new Line("\t{0} SACK recovery episode{s0}", "SACK recovery episodes"),
            new Line("\t\t{0} segment rexmit{s0} in SACK recovery episodes", "segments retransmitted in SACK recovery"),
            new Line("\t{0} SACK option{s0} (SACK blocks) received", "SACK blocks received"),
            new Line("\t{0} SACK option{s0} (SACK blocks) sent", "SACK blocks sent"),
            new Line("\t{0} challenge ACK{s0} sent", "challenge ACKs sent"),
            new Line("\t{0} connection{s0} entered TIME_WAIT", "connections entered TIME_WAIT"),
            new Line("\t\t{0} recycled by a new SYN", "TIME_WAIT connections recycled by a new SYN"));

    private TcpStatLines() {
    }

    /**
     * Prints the section. {@code counters} maps each description to its value, in the kernel's order;
     * {@code skipZero} is NetBSD's {@code -ss}: a line whose counters are all zero is left out.
     */
    static void print(Map<String, Long> counters, boolean skipZero, PrintStream out) {
        Set<String> used = new HashSet<>();
        for (Line l : LINES) {
            if (!counters.keySet().containsAll(List.of(l.counters()))) {
                continue;
            }
            used.addAll(List.of(l.counters()));
            boolean allZero = true;
            for (String c : l.counters()) {
                allZero &= counters.get(c) == 0;
            }
            if (!(skipZero && allZero)) {
                out.println(format(l, counters));
            }
        }
        for (Map.Entry<String, Long> e : counters.entrySet()) {
            if (!used.contains(e.getKey()) && !(skipZero && e.getValue() == 0)) {
                out.println("\t" + e.getValue() + " " + e.getKey());
            }
        }
    }

    private static String format(Line l, Map<String, Long> counters) {
        String f = l.format();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < f.length(); i++) {
            char c = f.charAt(i);
            if (c != '{') {
                sb.append(c);
                continue;
            }
            int end = f.indexOf('}', i);
            String ref = f.substring(i + 1, end);
            i = end;
            long v = counters.get(l.counters()[Integer.parseInt(ref.replaceFirst("^s", ""))]);
            if (ref.startsWith("s")) {
                sb.append(v == 1 ? "" : "s");
            } else {
                sb.append(v);
            }
        }
        return sb.toString();
    }

    /** The counters of one protocol as {@code netstat -s} reads them: description to value, in order. */
    static Map<String, Long> of(List<io.jrump.kern.sysctl.SysctlEntry> entries) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (io.jrump.kern.sysctl.SysctlEntry e : entries) {
            try {
                m.put(e.description(), Long.parseLong(e.value().trim()));
            } catch (NumberFormatException ex) {
                // not a counter: netstat -s has nothing to say about it
            }
        }
        return m;
    }
}
