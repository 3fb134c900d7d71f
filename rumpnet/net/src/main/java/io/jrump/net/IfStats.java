package io.jrump.net;

/** A snapshot of an interface's counters ({@code struct if_data}), as {@code netstat -i} prints them. */
public record IfStats(long ipackets, long ibytes, long ierrors, long iqdrops,
                      long opackets, long obytes, long oerrors, long noproto) {
}
