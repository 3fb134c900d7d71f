package io.jrump.tools;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.kern.vfs.Dirent;
import io.jrump.kern.vfs.Fcntl;
import io.jrump.kern.vfs.Stat;
import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * {@code rump.ls [-adlR] [file ...]}, as NetBSD's ls(1) prints to a pipe: one name a line, sorted;
 * {@code -a} shows names starting with a dot ({@code .} and {@code ..} included), {@code -l} the long
 * form (mode, links, owner, group, size, modification time, name, and a symbolic link's target),
 * {@code -R} descends into subdirectories, {@code -d} lists a directory itself.
 */
final class Ls extends FsTool {
    /** ls(1)'s two time forms: recent files show the time, older (or future) ones the year. */
    private static final DateTimeFormatter RECENT = DateTimeFormatter.ofPattern("MMM ppd HH:mm", Locale.US);
    private static final DateTimeFormatter OLD = DateTimeFormatter.ofPattern("MMM ppd  yyyy", Locale.US);
    private static final long SIX_MONTHS = 182L * 24 * 3600;

    @Override
    public String name() {
        return "ls";
    }

    @Override
    public String usage() {
        return "usage: rump.ls [-adlR] [file ...]";
    }

    @Override
    public int run(Syscalls sys, String[] args, PrintStream out, PrintStream err) throws UsageException {
        Cmd c = parse(args, "adlR1");
        List<String> ops = c.operands().isEmpty() ? List.of(".") : c.operands();
        int status = 0;
        List<String> dirs = new ArrayList<>();
        List<String> files = new ArrayList<>();
        for (String f : ops) {
            try {
                Stat st = sys.stat(f);
                (st.isDir() && !c.has('d') ? dirs : files).add(f);
            } catch (ErrnoException e) {
                try {
                    sys.lstat(f);
                    files.add(f);
                } catch (ErrnoException e2) {
                    fail(err, f, e);
                    status = 1;
                }
            }
        }
        files.sort(Comparator.naturalOrder());
        dirs.sort(Comparator.naturalOrder());
        for (String f : files) {
            try {
                print(sys, out, c, f, f);
            } catch (ErrnoException e) {
                fail(err, f, e);
                status = 1;
            }
        }
        boolean headers = ops.size() > 1 || c.has('R');
        boolean first = files.isEmpty();
        for (String d : dirs) {
            status |= listDir(sys, out, err, c, d, headers, first);
            first = false;
        }
        out.flush();
        return status;
    }

    private int listDir(Syscalls sys, PrintStream out, PrintStream err, Cmd c, String dir, boolean header,
                        boolean first) {
        if (header) {
            if (!first) {
                out.println();
            }
            out.println(dir + ":");
        }
        List<Dirent> ents;
        try {
            ents = entries(sys, dir);
        } catch (ErrnoException e) {
            fail(err, dir, e);
            return 1;
        }
        ents.sort(Comparator.comparing(Dirent::name));
        int status = 0;
        List<String> subdirs = new ArrayList<>();
        if (c.has('l')) {
            long blocks = 0;
            for (Dirent d : ents) {
                if (shown(c, d)) {
                    try {
                        blocks += sys.lstat(join(dir, d.name())).blocks();
                    } catch (ErrnoException e) {
                        // gone since the listing: ls counts what it can still see
                    }
                }
            }
            out.println("total " + blocks);
        }
        for (Dirent d : ents) {
            if (!shown(c, d)) {
                continue;
            }
            String p = join(dir, d.name());
            try {
                Stat st = print(sys, out, c, p, d.name());
                if (c.has('R') && st.isDir() && !d.name().equals(".") && !d.name().equals("..")) {
                    subdirs.add(p);
                }
            } catch (ErrnoException e) {
                fail(err, p, e);
                status = 1;
            }
        }
        for (String s : subdirs) {
            status |= listDir(sys, out, err, c, s, true, false);
        }
        return status;
    }

    private static boolean shown(Cmd c, Dirent d) {
        return c.has('a') || !d.name().startsWith(".");
    }

    /** One line for {@code path}, shown as {@code label}; returns its lstat. */
    private static Stat print(Syscalls sys, PrintStream out, Cmd c, String path, String label) throws ErrnoException {
        Stat st = sys.lstat(path);
        if (!c.has('l')) {
            out.println(label);
            return st;
        }
        long now = System.currentTimeMillis() / 1000;
        Instant mt = Instant.ofEpochSecond(st.mtimeSec());
        String when = (Math.abs(now - st.mtimeSec()) < SIX_MONTHS ? RECENT : OLD).format(mt.atZone(ZoneId.systemDefault()));
        String size = st.type() == io.jrump.kern.vfs.StatMode.S_IFCHR || st.type() == io.jrump.kern.vfs.StatMode.S_IFBLK
                ? (st.rdev() >>> 8 & 0xfff) + ", " + (st.rdev() & 0xff) : Long.toString(st.size());
        String line = String.format(Locale.ROOT, "%s %3d %-8s %-8s %8s %s %s", modeString(st.mode()), st.nlink(),
                user(st.uid()), group(st.gid()), size, when, label);
        if (st.isLink()) {
            line += " -> " + sys.readlink(path);
        }
        out.println(line);
        return st;
    }

    /** Every entry of {@code dir}, through getdents until it comes back empty. */
    static List<Dirent> entries(Syscalls sys, String dir) throws ErrnoException {
        int fd = sys.open(dir, Fcntl.O_RDONLY | Fcntl.O_DIRECTORY, 0);
        try {
            List<Dirent> all = new ArrayList<>();
            for (List<Dirent> l; !(l = sys.getdents(fd, 65536)).isEmpty(); ) {
                all.addAll(l);
            }
            return all;
        } finally {
            closeQuietly(sys, fd);
        }
    }
}
