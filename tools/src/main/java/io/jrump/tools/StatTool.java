package io.jrump.tools;

import io.jrump.kern.ErrnoException;
import io.jrump.kern.syscall.Syscalls;
import io.jrump.kern.vfs.Stat;
import io.jrump.kern.vfs.StatMode;
import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * {@code rump.stat [-L] file...}: every field of the file's {@code struct stat} in the layout of
 * NetBSD's {@code stat -x} (file, size and type, mode and owners, device, inode and link count, the
 * four times to the nanosecond); {@code -L} follows a symbolic link, which otherwise is described itself.
 */
final class StatTool extends FsTool {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("EEE MMM d HH:mm:ss.nnnnnnnnn yyyy", Locale.US);

    @Override
    public String name() {
        return "stat";
    }

    @Override
    public String usage() {
        return "usage: rump.stat [-L] file ...";
    }

    @Override
    public int run(Syscalls sys, String[] args, PrintStream out, PrintStream err) throws UsageException {
        Cmd c = parse(args, "Lx");
        if (c.operands().isEmpty()) {
            throw new UsageException("no file");
        }
        int status = 0;
        for (String f : c.operands()) {
            try {
                Stat st = c.has('L') ? sys.stat(f) : sys.lstat(f);
                out.printf(Locale.ROOT, "  File: \"%s\"%s%n", f, st.isLink() ? " -> \"" + sys.readlink(f) + "\"" : "");
                out.printf(Locale.ROOT, "  Size: %-11d  FileType: %s%n", st.size(), type(st.mode()));
                out.printf(Locale.ROOT, "  Mode: (%04o/%s)         Uid: (%5d/%8s)  Gid: (%5d/%8s)%n",
                        st.mode() & 07777, modeString(st.mode()), st.uid(), user(st.uid()), st.gid(), group(st.gid()));
                out.printf(Locale.ROOT, "Device: %d,%d   Inode: %d    Links: %d%n", st.dev() >>> 8 & 0xfff,
                        st.dev() & 0xff, st.ino(), st.nlink());
                out.println("Access: " + time(st.atimeSec(), st.atimeNsec()));
                out.println("Modify: " + time(st.mtimeSec(), st.mtimeNsec()));
                out.println("Change: " + time(st.ctimeSec(), st.ctimeNsec()));
                out.println(" Birth: " + time(st.birthtimeSec(), st.birthtimeNsec()));
                out.printf(Locale.ROOT, "Blocks: %d    IO Block: %d%n", st.blocks(), st.blksize());
            } catch (ErrnoException e) {
                fail(err, f, e);
                status = 1;
            }
        }
        out.flush();
        return status;
    }

    private static String time(long sec, long nsec) {
        return TIME.format(Instant.ofEpochSecond(sec, nsec).atZone(ZoneId.systemDefault()));
    }

    private static String type(int mode) {
        return switch (mode & StatMode.S_IFMT) {
            case StatMode.S_IFDIR -> "Directory";
            case StatMode.S_IFLNK -> "Symbolic Link";
            case StatMode.S_IFCHR -> "Character Device";
            case StatMode.S_IFBLK -> "Block Device";
            case StatMode.S_IFIFO -> "Fifo File";
            case StatMode.S_IFSOCK -> "Socket";
            default -> "Regular File";
        };
    }
}
