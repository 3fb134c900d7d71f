package io.jrump.vfs.etfs;

import com.google.common.base.Splitter;
import io.jrump.hypercall.Errno;
import io.jrump.hypercall.HyperError;
import io.jrump.hypercall.HyperFile;
import io.jrump.hypercall.HyperFiles;
import io.jrump.kern.ErrnoException;
import java.util.Locale;
import java.util.Map;

/**
 * A {@code rump_server -d} argument: {@code key=/dk,hostpath=disk.img,size=64m[,type=blk|chr|reg][,offset=N]}
 * for a file or disk image (NetBSD spells the type {@code disktype=}, which is accepted too; the default
 * is {@code blk}), or {@code key=/www,hostpath=./site,type=dir|dirsub} for a directory. {@code size=host}
 * takes the host file as it is. Sizes and offsets take the suffixes {@code b} (512-byte blocks),
 * {@code k}, {@code m}, {@code g} and {@code t}.
 *
 * @param size bytes, or {@link Etfs#SIZE_ENDOFF} for the host file's own size (and for directories)
 */
public record EtfsSpec(String key, String hostPath, EtfsType type, long size, long offset) {

    /** Parses a spec; an {@link IllegalArgumentException} says what is wrong with it. */
    public static EtfsSpec parse(String spec) {
        Map<String, String> kv;
        try {
            kv = Splitter.on(',').trimResults().omitEmptyStrings().withKeyValueSeparator('=').split(spec);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("-d " + spec + ": expected key=value pairs separated by commas ("
                    + e.getMessage() + ")");
        }
        for (String k : kv.keySet()) {
            if (!k.equals("key") && !k.equals("hostpath") && !k.equals("size") && !k.equals("offset")
                    && !k.equals("type") && !k.equals("disktype")) {
                throw new IllegalArgumentException("-d " + spec + ": unknown parameter '" + k
                        + "' (key, hostpath, size, offset, type)");
            }
        }
        String key = kv.get("key");
        String host = kv.get("hostpath");
        if (key == null || host == null) {
            throw new IllegalArgumentException("-d " + spec + ": key= and hostpath= are required");
        }
        if (!key.startsWith("/")) {
            throw new IllegalArgumentException("-d " + spec + ": the key must start with / (" + key + ")");
        }
        if (kv.containsKey("type") && kv.containsKey("disktype")) {
            throw new IllegalArgumentException("-d " + spec + ": type= and disktype= both given");
        }
        String t = kv.getOrDefault("type", kv.getOrDefault("disktype", "blk"));
        EtfsType type;
        try {
            type = EtfsType.parse(t.toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("-d " + spec + ": " + e.getMessage());
        }
        long offset = kv.containsKey("offset") ? parseSize(spec, "offset", kv.get("offset")) : 0;
        if (type.isDir()) {
            if (kv.containsKey("size") || kv.containsKey("offset")) {
                throw new IllegalArgumentException("-d " + spec + ": a directory takes no size= or offset=");
            }
            return new EtfsSpec(key, host, type, Etfs.SIZE_ENDOFF, 0);
        }
        String sz = kv.get("size");
        if (sz == null) {
            throw new IllegalArgumentException("-d " + spec + ": size= is required for type " + t + " (a size, or host)");
        }
        long size = sz.equals("host") ? Etfs.SIZE_ENDOFF : parseSize(spec, "size", sz);
        if (size == 0) {
            throw new IllegalArgumentException("-d " + spec + ": size must not be 0");
        }
        return new EtfsSpec(key, host, type, size, offset);
    }

    private static long parseSize(String spec, String what, String v) {
        String s = v.trim().toLowerCase(Locale.ROOT);
        long mult = 1;
        if (!s.isEmpty()) {
            switch (s.charAt(s.length() - 1)) {
                case 'b' -> mult = 512;
                case 'k' -> mult = 1L << 10;
                case 'm' -> mult = 1L << 20;
                case 'g' -> mult = 1L << 30;
                case 't' -> mult = 1L << 40;
                default -> mult = 1;
            }
            if (mult != 1) {
                s = s.substring(0, s.length() - 1);
            }
        }
        try {
            long n = Long.parseLong(s);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return Math.multiplyExact(n, mult);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("-d " + spec + ": bad " + what + " '" + v + "' (bytes, or a number with b, k, m, g or t)");
        }
    }

    /**
     * Makes the registration: for a file or disk with a size, the host file is created if missing and
     * extended (with a hole) if shorter than {@code offset + size}; then the key is registered.
     */
    public void apply(Etfs etfs) throws ErrnoException {
        if (!type.isDir() && size != Etfs.SIZE_ENDOFF) {
            HyperFiles hf = etfs.host();
            try {
                HyperFile f = hf.open(hostPath, HyperFiles.O_RDWR | HyperFiles.O_CREATE);
                try {
                    long need = Math.addExact(offset, size);
                    if (f.size() < need) {
                        f.truncate(need);
                    }
                } finally {
                    f.close();
                }
            } catch (HyperError e) {
                throw new ErrnoException(e.errno(), "-d " + key + ": " + e.getMessage());
            } catch (ArithmeticException e) {
                throw new ErrnoException(Errno.EFBIG, "-d " + key + ": offset plus size overflows");
            }
        }
        etfs.registerWithSize(key, hostPath, type, offset, size);
    }
}
