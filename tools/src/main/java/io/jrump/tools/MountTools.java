package io.jrump.tools;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.kern.vfs.StatVfs;
import io.jrump.vfs.MountFlags;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The mount table's programs, as NetBSD's mount(8), umount(8) and df(1) show and change it. */
final class MountTools {
    private MountTools() {
    }

    static List<Tool> all() {
        return List.of(new Mount(), new Umount(), new Df());
    }

    /** The option words mount(8) prints for the flags a file system is mounted with. */
    static String options(long flag) {
        List<String> o = new ArrayList<>();
        o.add((flag & MountFlags.MNT_RDONLY) != 0 ? "read-only" : null);
        o.add((flag & MountFlags.MNT_SYNCHRONOUS) != 0 ? "synchronous" : null);
        o.add((flag & MountFlags.MNT_NOEXEC) != 0 ? "noexec" : null);
        o.add((flag & MountFlags.MNT_NOSUID) != 0 ? "nosuid" : null);
        o.add((flag & MountFlags.MNT_NODEV) != 0 ? "nodev" : null);
        o.add((flag & MountFlags.MNT_LOCAL) != 0 ? "local" : null);
        o.removeIf(s -> s == null);
        return String.join(", ", o);
    }

    /**
     * {@code rump.mount}: without operands the mounted file systems, one a line
     * ({@code FROM on DIR type TYPE (OPTIONS)}); {@code rump.mount [-r] [-o ro] [-t type] special node}
     * mounts one (rumpfs unless {@code -t} names another).
     */
    static final class Mount extends FsTool {
        @Override
        public String name() {
            return "mount";
        }

        @Override
        public String usage() {
            return "usage: rump.mount [-r] [-o options] [-t type] special node";
        }

        @Override
        public int run(Syscalls sys, String[] args, PrintStream out, PrintStream err)
                throws ErrnoException, UsageException {
            String type = "rumpfs";
            int flags = 0;
            String data = "";
            List<String> ops = new ArrayList<>();
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "-t" -> type = arg(args, ++i);
                    case "-r" -> flags |= MountFlags.MNT_RDONLY;
                    case "-o" -> {
                        for (String o : arg(args, ++i).split(",")) {
                            switch (o) {
                                case "ro", "rdonly" -> flags |= MountFlags.MNT_RDONLY;
                                case "rw" -> flags &= ~MountFlags.MNT_RDONLY;
                                case "noexec" -> flags |= MountFlags.MNT_NOEXEC;
                                case "nosuid" -> flags |= MountFlags.MNT_NOSUID;
                                case "nodev" -> flags |= MountFlags.MNT_NODEV;
                                case "update" -> flags |= MountFlags.MNT_UPDATE;
                                default -> data = data.isEmpty() ? o : data + "," + o;
                            }
                        }
                    }
                    default -> {
                        if (args[i].startsWith("-")) {
                            throw new UsageException("unknown option " + args[i]);
                        }
                        ops.add(args[i]);
                    }
                }
            }
            if (ops.isEmpty()) {
                for (StatVfs v : sys.getvfsstat(0)) {
                    out.println(v.mntfromname() + " on " + v.mntonname() + " type " + v.fstypename() + " ("
                            + options(v.flag()) + ")");
                }
                return 0;
            }
            if (ops.size() != 2) {
                throw new UsageException("need a special (ignored by rumpfs) and a node");
            }
            try {
                sys.mount(type, ops.get(1), flags, data.isEmpty() ? null : data);
                return 0;
            } catch (ErrnoException e) {
                fail(err, ops.get(1), e);
                return 1;
            }
        }

        private static String arg(String[] args, int i) throws UsageException {
            if (i >= args.length) {
                throw new UsageException("option needs a value");
            }
            return args[i];
        }
    }

    /** {@code rump.umount [-f] node...}: {@code -f} unmounts a busy file system. */
    static final class Umount extends FsTool {
        @Override
        public String name() {
            return "umount";
        }

        @Override
        public String usage() {
            return "usage: rump.umount [-f] node ...";
        }

        @Override
        public int run(Syscalls sys, String[] args, PrintStream out, PrintStream err) throws UsageException {
            Cmd c = parse(args, "f");
            if (c.operands().isEmpty()) {
                throw new UsageException("no node");
            }
            int status = 0;
            for (String n : c.operands()) {
                try {
                    sys.unmount(n, c.has('f') ? MountFlags.MNT_FORCE : 0);
                } catch (ErrnoException e) {
                    fail(err, n, e);
                    status = 1;
                }
            }
            return status;
        }
    }

    /** {@code rump.df [-k] [file ...]}: space on each file system (all, or those holding the files). */
    static final class Df extends FsTool {
        @Override
        public String name() {
            return "df";
        }

        @Override
        public String usage() {
            return "usage: rump.df [-k] [file ...]";
        }

        @Override
        public int run(Syscalls sys, String[] args, PrintStream out, PrintStream err) throws UsageException {
            Cmd c = parse(args, "k");
            long unit = c.has('k') ? 1024 : 512;
            List<StatVfs> l = new ArrayList<>();
            int status = 0;
            try {
                if (c.operands().isEmpty()) {
                    l.addAll(sys.getvfsstat(0));
                }
            } catch (ErrnoException e) {
                fail(err, "getvfsstat", e);
                return 1;
            }
            for (String f : c.operands()) {
                try {
                    l.add(sys.statvfs(f));
                } catch (ErrnoException e) {
                    fail(err, f, e);
                    status = 1;
                }
            }
            out.printf(Locale.ROOT, "%-16s %10s %10s %10s %4s %s%n", "Filesystem", unit == 1024 ? "1K-blocks" : "512-blocks",
                    "Used", "Avail", "%Cap", "Mounted on");
            for (StatVfs v : l) {
                long total = v.blocks() * v.frsize() / unit;
                long used = (v.blocks() - v.bfree()) * v.frsize() / unit;
                long avail = v.bavail() * v.frsize() / unit;
                long cap = used + avail == 0 ? 0 : (used * 100 + used + avail - 1) / (used + avail);
                out.printf(Locale.ROOT, "%-16s %10d %10d %10d %3d%% %s%n", v.mntfromname(), total, used, avail, cap,
                        v.mntonname());
            }
            out.flush();
            return status;
        }
    }
}
