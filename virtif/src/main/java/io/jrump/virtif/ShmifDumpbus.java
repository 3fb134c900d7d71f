package io.jrump.virtif;

import io.jrump.hypercall.HyperError;
import io.jrump.wire.EtherType;
import io.jrump.wire.MacAddress;
import io.jrump.wire.Pcap;
import java.io.PrintStream;
import java.util.Arrays;

/**
 * {@code shmif_dumpbus [-h] [-p FILE] BUS}, after NetBSD's {@code usr.bin/shmif_dumpbus}: shows what is
 * on a shmif bus without attaching to it. {@code -h} prints the bus header and exits; {@code -p FILE}
 * writes every frame still in the ring, oldest first, as a pcap file for tcpdump, tshark or Wireshark
 * ({@code -p -} writes it to standard output); without {@code -p} it prints one line per frame in
 * {@code tcpdump -e} style.
 *
 * <p>The bus is mapped read-only and not locked, so dumping a live bus disturbs nobody; frames that
 * writers overwrite while the dump runs are skipped, never printed torn.
 */
public final class ShmifDumpbus {
    static final String USAGE = "usage: shmif_dumpbus [-h] [-p pcapfile] buspath";

    private ShmifDumpbus() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command; returns its exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        boolean headerOnly = false;
        String pcap = null;
        String bus = null;
        boolean options = true;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (options && a.equals("--")) {
                options = false;
            } else if (options && a.equals("-h")) {
                headerOnly = true;
            } else if (options && a.startsWith("-p")) {
                if (a.length() > 2) {
                    pcap = a.substring(2);
                } else if (i + 1 < args.length) {
                    pcap = args[++i];
                } else {
                    return usage(err, "option -p needs a file name");
                }
            } else if (options && a.startsWith("-") && a.length() > 1) {
                return usage(err, "unknown option " + a);
            } else if (bus == null) {
                bus = a;
            } else {
                return usage(err, "unexpected argument " + a + " (one bus at a time)");
            }
        }
        if (bus == null) {
            return usage(err, "no bus file given");
        }
        ShmifRing ring;
        try {
            ring = ShmifRing.attach(ShmifUser.open(bus, true));
        } catch (HyperError e) {
            return usage(err, e.getMessage());
        }
        ShmifHeader h = ring.header();
        if (headerOnly) {
            printHeader(out, h);
            return 0;
        }
        try {
            dump(ring, h, pcap, out);
        } catch (HyperError e) {
            err.println("shmif_dumpbus: " + e.getMessage());
            return 1;
        }
        return 0;
    }

    private static int usage(PrintStream err, String problem) {
        err.println("shmif_dumpbus: " + problem);
        err.println(USAGE);
        return 1;
    }

    private static void printHeader(PrintStream out, ShmifHeader h) {
        out.println("bus version " + h.version() + ", ring size " + h.ringSize() + ", generation " + h.generation()
                + ", first frame at " + h.first() + ", frames sent " + h.nextSequence());
        if (h.locked()) {
            out.println("lock: held by sender 0x" + Integer.toHexString(h.lockHolder()) + " since "
                    + timestamp(h.lockWallNanos()) + " (ticket 0x" + Long.toHexString(h.lockWord()) + ")");
        } else {
            out.println("lock: free");
        }
        out.println("lock breaks: " + h.lockBreaks());
    }

    private static void dump(ShmifRing ring, ShmifHeader h, String pcap, PrintStream out) {
        byte[] frame = new byte[ring.maxPayload()];
        byte[] file = new byte[Pcap.GLOBAL_HEADER_LEN + 4096];
        int used = pcap == null ? 0 : Pcap.writeGlobalHeader(file, 0, Pcap.LINKTYPE_ETHERNET);
        ShmifReader reader = new ShmifReader(ring, h.first(), -1);
        while (reader.position() - h.generation() < 0) {
            int n = reader.next(frame);
            if (n == ShmifReader.NONE) {
                break;
            }
            if (n == ShmifReader.RESYNC) {
                reader.resync(ring.generation(), -1);
                continue;
            }
            if (pcap == null) {
                out.println(describe(reader.wallNanos(), frame, n));
                continue;
            }
            int need = used + Pcap.RECORD_HEADER_LEN + n;
            if (need > file.length) {
                file = Arrays.copyOf(file, Math.max(need, file.length * 2));
            }
            used += Pcap.writeRecordHeader(file, used, reader.wallNanos(), n, n);
            System.arraycopy(frame, 0, file, used, n);
            used += n;
        }
        if (pcap == null) {
            return;
        }
        if (pcap.equals("-")) {
            out.write(file, 0, used);
            out.flush();
        } else {
            ShmifUser.writeFile(pcap, file, 0, used);
        }
    }

    /** One frame as {@code tcpdump -e} prints its link layer. */
    static String describe(long wallNanos, byte[] f, int len) {
        if (len < EtherLink.HEADER_LEN) {
            return timestamp(wallNanos) + " runt frame, length " + len;
        }
        String macs = MacAddress.format(MacAddress.read(f, 6)) + " > " + MacAddress.format(MacAddress.read(f, 0));
        int type = (f[12] & 0xff) << 8 | (f[13] & 0xff);
        String name = EtherType.name(type);
        String kind = EtherType.isType(type)
                ? String.format("ethertype %s (0x%04x)", name.startsWith("0x") ? "Unknown" : name, type)
                : "802.3";
        return timestamp(wallNanos) + " " + macs + ", " + kind + ", length " + len;
    }

    private static String timestamp(long wallNanos) {
        return String.format("%d.%06d", Math.floorDiv(wallNanos, 1_000_000_000L),
                Math.floorMod(wallNanos, 1_000_000_000L) / 1000);
    }
}
