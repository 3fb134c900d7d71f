package io.jrump.tools;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.kern.vfs.Dirent;
import io.jrump.kern.vfs.Fcntl;
import io.jrump.kern.vfs.Stat;
import io.jrump.kern.vfs.Timespec;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The fs-utils programs that make, copy, move and remove files in a rump kernel, as NetBSD's
 * {@code cat}, {@code cp}, {@code mkdir}, {@code rm}, {@code mv}, {@code ln}, {@code chmod},
 * {@code chown} and {@code touch} do (fs-utils' {@code fsu_*} against RUMP_SERVER). Each operand
 * that fails prints {@code rump.NAME: operand: message} and makes the exit status 1; the rest go on.
 */
final class FileTools {
    private FileTools() {
    }

    /** All of them, for the launcher. */
    static List<Tool> all() {
        return List.of(new Cat(), new Cp(), new Mkdir(), new Rm(), new Mv(), new Ln(), new Chmod(), new Chown(),
                new Touch());
    }

    /** {@code rump.cat file...}: the files' bytes, one after another, to standard output. */
    static final class Cat extends FsTool {
        @Override
        public String name() {
            return "cat";
        }

        @Override
        public String usage() {
            return "usage: rump.cat file ...";
        }

        @Override
        public int run(Syscalls sys, String[] args, PrintStream out, PrintStream err) throws UsageException {
            Cmd c = parse(args, "");
            int status = 0;
            byte[] chunk = new byte[CHUNK];
            for (String f : c.operands()) {
                int fd;
                try {
                    fd = openRead(sys, f);
                } catch (ErrnoException e) {
                    fail(err, f, e);
                    status = 1;
                    continue;
                }
                try {
                    for (int n; (n = sys.read(fd, ByteBuffer.wrap(chunk))) > 0; ) {
                        out.write(chunk, 0, n);
                    }
                } catch (ErrnoException e) {
                    fail(err, f, e);
                    status = 1;
                } finally {
                    closeQuietly(sys, fd);
                }
            }
            out.flush();
            return status;
        }
    }

    /**
     * {@code rump.cp [-R] source target}: either side may be a host path, written {@code host:PATH};
     * a target that is a directory receives the source's name.
     */
    static final class Cp extends FsTool {
        static final String HOST = "host:";

        @Override
        public String name() {
            return "cp";
        }

        @Override
        public String usage() {
            return "usage: rump.cp source target (either may be host:PATH)";
        }

        @Override
        public int run(Syscalls sys, String[] args, PrintStream out, PrintStream err) throws UsageException {
            Cmd c = parse(args, "");
            if (c.operands().size() != 2) {
                throw new UsageException("need a source and a target");
            }
            String from = c.operands().get(0);
            String to = c.operands().get(1);
            try {
                if (!from.startsWith(HOST) && !to.startsWith(HOST)) {
                    Stat ts = statOrNull(sys, to);
                    if (ts != null && ts.isDir()) {
                        to = join(to, basename(from));
                    }
                    Stat fs = sys.stat(from);
                    copyRumpToRump(sys, from, to, fs.mode() & 07777);
                } else if (from.startsWith(HOST) && !to.startsWith(HOST)) {
                    Path src = Path.of(from.substring(HOST.length()));
                    Stat ts = statOrNull(sys, to);
                    if (ts != null && ts.isDir()) {
                        to = join(to, src.getFileName().toString());
                    }
                    copyHostToRump(sys, src, to);
                } else if (!from.startsWith(HOST)) {
                    Path dst = Path.of(to.substring(HOST.length()));
                    if (java.nio.file.Files.isDirectory(dst)) {
                        dst = dst.resolve(basename(from));
                    }
                    copyRumpToHost(sys, from, dst);
                } else {
                    throw new UsageException("one side must be in the rump kernel");
                }
                return 0;
            } catch (ErrnoException e) {
                err.println("rump.cp: " + (to.equals(e.getMessage()) ? to : from) + ": " + Errno.message(e.errno()));
                return 1;
            } catch (IOException e) {
                err.println("rump.cp: " + e.getMessage());
                return 1;
            }
        }

        /** Opens the target; a failure names it, so that the message blames the right operand. */
        private static int openTarget(Syscalls sys, String to, int mode) throws ErrnoException {
            try {
                return sys.open(to, Fcntl.O_WRONLY | Fcntl.O_CREAT | Fcntl.O_TRUNC, mode);
            } catch (ErrnoException e) {
                throw new ErrnoException(e.errno(), to);
            }
        }

        private static void copyRumpToRump(Syscalls sys, String from, String to, int mode) throws ErrnoException {
            int in = openRead(sys, from);
            try {
                int o = openTarget(sys, to, mode);
                try {
                    ByteBuffer b = ByteBuffer.allocate(CHUNK);
                    for (int n; (n = sys.read(in, b.clear())) > 0; ) {
                        writeAll(sys, o, ByteBuffer.wrap(b.array(), 0, n));
                    }
                } finally {
                    closeQuietly(sys, o);
                }
            } finally {
                closeQuietly(sys, in);
            }
        }

        private static void copyHostToRump(Syscalls sys, Path src, String to) throws IOException, ErrnoException {
            try (FileChannel ch = FileChannel.open(src, StandardOpenOption.READ)) {
                int o = openTarget(sys, to, 0644);
                try {
                    ByteBuffer b = ByteBuffer.allocate(CHUNK);
                    while (ch.read(b.clear()) > 0) {
                        writeAll(sys, o, b.flip());
                    }
                } finally {
                    closeQuietly(sys, o);
                }
            }
        }

        private static void copyRumpToHost(Syscalls sys, String from, Path dst) throws IOException, ErrnoException {
            int in = openRead(sys, from);
            try (FileChannel ch = FileChannel.open(dst, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.allocate(CHUNK);
                for (int n; (n = sys.read(in, b.clear())) > 0; ) {
                    ByteBuffer w = ByteBuffer.wrap(b.array(), 0, n);
                    while (w.hasRemaining()) {
                        ch.write(w);
                    }
                }
            } finally {
                closeQuietly(sys, in);
            }
        }
    }

    /** {@code rump.mkdir [-p] [-m mode] dir...}: {@code -p} makes missing parents and accepts existing ones. */
    static final class Mkdir extends FsTool {
        @Override
        public String name() {
            return "mkdir";
        }

        @Override
        public String usage() {
            return "usage: rump.mkdir [-p] directory ...";
        }

        @Override
        public int run(Syscalls sys, String[] args, PrintStream out, PrintStream err) throws UsageException {
            Cmd c = parse(args, "p");
            if (c.operands().isEmpty()) {
                throw new UsageException("no directory");
            }
            int status = 0;
            for (String d : c.operands()) {
                try {
                    if (c.has('p')) {
                        mkdirs(sys, d);
                    } else {
                        sys.mkdir(d, 0777);
                    }
                } catch (ErrnoException e) {
                    fail(err, d, e);
                    status = 1;
                }
            }
            return status;
        }

        private static void mkdirs(Syscalls sys, String d) throws ErrnoException {
            StringBuilder at = new StringBuilder(d.startsWith("/") ? "/" : "");
            for (String part : d.split("/")) {
                if (part.isEmpty()) {
                    continue;
                }
                at.append(at.length() == 0 || at.charAt(at.length() - 1) == '/' ? "" : "/").append(part);
                try {
                    sys.mkdir(at.toString(), 0777);
                } catch (ErrnoException e) {
                    if (e.errno() != Errno.EEXIST || !sys.stat(at.toString()).isDir()) {
                        throw e;
                    }
                }
            }
        }
    }

    /** {@code rump.rm [-rf] file...}: {@code -r} removes directories and what they hold, {@code -f} is quiet. */
    static final class Rm extends FsTool {
        @Override
        public String name() {
            return "rm";
        }

        @Override
        public String usage() {
            return "usage: rump.rm [-fRr] file ...";
        }

        @Override
        public int run(Syscalls sys, String[] args, PrintStream out, PrintStream err) throws UsageException {
            Cmd c = parse(args, "rRf");
            boolean recurse = c.has('r') || c.has('R');
            int status = 0;
            for (String f : c.operands()) {
                try {
                    Stat st = sys.lstat(f);
                    if (st.isDir()) {
                        if (!recurse) {
                            err.println("rump.rm: " + f + ": is a directory");
                            status = 1;
                            continue;
                        }
                        removeTree(sys, f);
                    } else {
                        sys.unlink(f);
                    }
                } catch (ErrnoException e) {
                    if (!(c.has('f') && e.errno() == Errno.ENOENT)) {
                        fail(err, f, e);
                        status = 1;
                    }
                }
            }
            return status;
        }

        private static void removeTree(Syscalls sys, String dir) throws ErrnoException {
            for (Dirent d : Ls.entries(sys, dir)) {
                if (d.name().equals(".") || d.name().equals("..")) {
                    continue;
                }
                String p = join(dir, d.name());
                if (sys.lstat(p).isDir()) {
                    removeTree(sys, p);
                } else {
                    sys.unlink(p);
                }
            }
            sys.rmdir(dir);
        }
    }

    /** {@code rump.mv source target}: a rename; a target that is a directory receives the source's name. */
    static final class Mv extends FsTool {
        @Override
        public String name() {
            return "mv";
        }

        @Override
        public String usage() {
            return "usage: rump.mv source target";
        }

        @Override
        public int run(Syscalls sys, String[] args, PrintStream out, PrintStream err) throws UsageException {
            Cmd c = parse(args, "f");
            if (c.operands().size() != 2) {
                throw new UsageException("need a source and a target");
            }
            String from = c.operands().get(0);
            String to = c.operands().get(1);
            try {
                Stat ts = statOrNull(sys, to);
                if (ts != null && ts.isDir()) {
                    to = join(to, basename(from));
                }
                sys.rename(from, to);
                return 0;
            } catch (ErrnoException e) {
                err.println("rump.mv: rename " + from + " to " + to + ": " + Errno.message(e.errno()));
                return 1;
            }
        }
    }

    /** {@code rump.ln [-s] source target}: a hard link, or with {@code -s} a symbolic one holding {@code source}. */
    static final class Ln extends FsTool {
        @Override
        public String name() {
            return "ln";
        }

        @Override
        public String usage() {
            return "usage: rump.ln [-s] source target";
        }

        @Override
        public int run(Syscalls sys, String[] args, PrintStream out, PrintStream err) throws UsageException {
            Cmd c = parse(args, "sf");
            if (c.operands().size() != 2) {
                throw new UsageException("need a source and a target");
            }
            String from = c.operands().get(0);
            String to = c.operands().get(1);
            try {
                Stat ts = statOrNull(sys, to);
                if (ts != null && ts.isDir()) {
                    to = join(to, basename(from));
                }
                if (c.has('s')) {
                    sys.symlink(from, to);
                } else {
                    sys.link(from, to);
                }
                return 0;
            } catch (ErrnoException e) {
                fail(err, to, e);
                return 1;
            }
        }
    }

    /** {@code rump.chmod mode file...}: the mode in octal. */
    static final class Chmod extends FsTool {
        @Override
        public String name() {
            return "chmod";
        }

        @Override
        public String usage() {
            return "usage: rump.chmod mode file ...";
        }

        @Override
        public int run(Syscalls sys, String[] args, PrintStream out, PrintStream err) throws UsageException {
            Cmd c = parse(args, "");
            if (c.operands().size() < 2) {
                throw new UsageException("need a mode and a file");
            }
            int mode;
            try {
                mode = Integer.parseInt(c.operands().get(0), 8);
            } catch (NumberFormatException e) {
                throw new UsageException("invalid file mode: " + c.operands().get(0));
            }
            if (mode < 0 || mode > 07777) {
                throw new UsageException("invalid file mode: " + c.operands().get(0));
            }
            int status = 0;
            for (String f : c.operands().subList(1, c.operands().size())) {
                try {
                    sys.chmod(f, mode);
                } catch (ErrnoException e) {
                    fail(err, f, e);
                    status = 1;
                }
            }
            return status;
        }
    }

    /** {@code rump.chown owner[:group] file...}: ids as numbers, or root and wheel. */
    static final class Chown extends FsTool {
        @Override
        public String name() {
            return "chown";
        }

        @Override
        public String usage() {
            return "usage: rump.chown owner[:group] file ...";
        }

        @Override
        public int run(Syscalls sys, String[] args, PrintStream out, PrintStream err) throws UsageException {
            Cmd c = parse(args, "h");
            if (c.operands().size() < 2) {
                throw new UsageException("need an owner and a file");
            }
            String spec = c.operands().get(0);
            int colon = spec.indexOf(':');
            int uid = id(colon < 0 ? spec : spec.substring(0, colon), "root");
            int gid = colon < 0 ? -1 : id(spec.substring(colon + 1), "wheel");
            int status = 0;
            for (String f : c.operands().subList(1, c.operands().size())) {
                try {
                    if (c.has('h')) {
                        sys.lchown(f, uid, gid);
                    } else {
                        sys.chown(f, uid, gid);
                    }
                } catch (ErrnoException e) {
                    fail(err, f, e);
                    status = 1;
                }
            }
            return status;
        }

        private static int id(String s, String zeroName) throws UsageException {
            if (s.isEmpty()) {
                return -1;
            }
            if (s.equals(zeroName)) {
                return 0;
            }
            try {
                return Integer.parseInt(s);
            } catch (NumberFormatException e) {
                throw new UsageException("unknown id: " + s);
            }
        }
    }

    /** {@code rump.touch file...}: makes missing files and sets both times of every file to now. */
    static final class Touch extends FsTool {
        @Override
        public String name() {
            return "touch";
        }

        @Override
        public String usage() {
            return "usage: rump.touch [-c] file ...";
        }

        @Override
        public int run(Syscalls sys, String[] args, PrintStream out, PrintStream err) throws UsageException {
            Cmd c = parse(args, "c");
            int status = 0;
            for (String f : c.operands()) {
                try {
                    if (statOrNull(sys, f) == null) {
                        if (!c.has('c')) {
                            sys.close(sys.open(f, Fcntl.O_WRONLY | Fcntl.O_CREAT, 0666));
                        }
                    } else {
                        sys.utimensat(Syscalls.AT_FDCWD, f, Timespec.NOW, Timespec.NOW, 0);
                    }
                } catch (ErrnoException e) {
                    fail(err, f, e);
                    status = 1;
                }
            }
            return status;
        }
    }
}
