package io.jrump.vfs;

import io.jrump.kern.vfs.Stat;
import io.jrump.kern.vfs.Dirent;
import io.jrump.kern.vfs.Flock;
import io.jrump.kern.vfs.Timespec;
import io.jrump.kern.vfs.StatMode;
import io.jrump.kern.vfs.Fcntl;


import static io.jrump.kern.vfs.Fcntl.O_CREAT;
import static io.jrump.kern.vfs.Fcntl.O_DIRECTORY;
import static io.jrump.kern.vfs.Fcntl.O_EXCL;
import static io.jrump.kern.vfs.Fcntl.O_RDONLY;
import static io.jrump.kern.vfs.Fcntl.O_RDWR;
import static io.jrump.vfs.Harness.errno;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.hypercall.Errno;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.Kernel;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * NetBSD's {@code tests/fs/vfs/t_vnops.c}, case for case, against the {@link Vfs} facade; rename and
 * link are not skipped. A subclass names the file system ({@link MountFactory}) and boots the kernel.
 */
abstract class VnopsSuite {
    abstract MountFactory fs();

    private Harness h;
    private Harness.P p;
    private String mp;

    private void setUp(Kernel k) throws Exception {
        h = new Harness(k);
        mp = fs().prepare(h);
        p = h.root();
    }

    /** {@code FSTEST_ENTER}: into the file system under test. */
    private void enter(Kernel k) throws Exception {
        setUp(k);
        p.chdir(mp);
    }

    private static String base(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** A stat whose access time is the other's, for comparisons that lookups may not disturb. */
    private static Stat sameAtime(Stat s, Stat like) {
        return new Stat(s.dev(), s.mode(), s.ino(), s.nlink(), s.uid(), s.gid(), s.rdev(), like.atimeSec(),
                like.atimeNsec(), s.mtimeSec(), s.mtimeNsec(), s.ctimeSec(), s.ctimeNsec(), s.birthtimeSec(),
                s.birthtimeNsec(), s.size(), s.blocks(), s.blksize(), s.flags(), s.gen());
    }

    @Test
    void lookup_simple(Kernel k) throws Exception {
        setUp(k);
        Stat a = p.stat(mp + "/../" + base(mp));
        Stat b = p.stat(mp + "/./../" + base(mp));
        assertEquals(a, b);
    }

    @Test
    void lookup_complex(Kernel k) throws Exception {
        setUp(k);
        p.mkdir(mp + "/dir", 0777);
        Stat a = p.stat(mp + "/dir");
        Stat b = p.stat(mp + "/./dir/../././dir/.");
        assertEquals(a, sameAtime(b, a));
    }

    @Test
    void dir_simple(Kernel k) throws Exception {
        setUp(k);
        p.mkdir(mp + "/dir", 0777);
        assertTrue(p.stat(mp + "/dir").isDir());
        p.rmdir(mp + "/dir");
        assertEquals(Errno.ENOENT, errno(() -> p.stat(mp + "/dir")));
    }

    private void dirSlash(Kernel k, String addend) throws Exception {
        setUp(k);
        p.mkdir(mp + "/dir/", 0777);
        assertTrue(p.stat(mp + "/dir" + addend).isDir());
        p.rmdir(mp + "/dir" + addend);
        assertEquals(Errno.ENOENT, errno(() -> p.stat(mp + "/dir/")));
    }

    @Test
    void dir_slash(Kernel k) throws Exception {
        dirSlash(k, "/");
    }

    @Test
    void dir_2slash(Kernel k) throws Exception {
        dirSlash(k, "//");
    }

    @Test
    void dir_3slash(Kernel k) throws Exception {
        dirSlash(k, "///");
    }

    @Test
    void dir_notempty(Kernel k) throws Exception {
        setUp(k);
        p.mkdir(mp + "/dir", 0777);
        p.close(p.open(mp + "/dir/file", O_RDWR | O_CREAT, 0777));
        assertEquals(Errno.ENOTEMPTY, errno(() -> p.rmdir(mp + "/dir")));
        p.unlink(mp + "/dir/file");
        p.rmdir(mp + "/dir");
    }

    @Test
    void dir_rmdirdotdot(Kernel k) throws Exception {
        enter(k);
        p.mkdir("test", 0777);
        p.chdir("test");
        p.mkdir("subtest", 0777);
        p.chdir("subtest");
        p.rmdir(mp + "/test/subtest");
        p.rmdir(mp + "/test");
        assertEquals(Errno.ENOENT, errno(() -> p.chdir("..")));
    }

    private void checkfile(String dir, Stat ref) throws ErrnoException {
        assertEquals(ref, sameAtime(p.stat(dir + "/file"), ref));
    }

    @Test
    void rename_dir(Kernel k) throws Exception {
        setUp(k);
        p.mkdir(mp + "/dir1", 0777);
        p.mkdir(mp + "/dir2", 0777);
        p.mkdir(mp + "/dir2/subdir", 0777);
        p.mknod(mp + "/dir1/file", StatMode.S_IFREG | 0777, -1);
        Stat ref = p.stat(mp + "/dir1/file");

        // within a directory
        p.rename(mp + "/dir1", mp + "/dir3");
        checkfile(mp + "/dir3", ref);
        // a directory onto itself, two ways
        assertEquals(Errno.EINVAL, errno(() -> p.rename(mp + "/dir3/.", mp + "/dir3")));
        assertEquals(Errno.EISDIR, errno(() -> p.rename(mp + "/dir3", mp + "/dir3/.")));
        checkfile(mp + "/dir3", ref);
        // a father into its child, and its grandchild
        assertEquals(Errno.EINVAL, errno(() -> p.rename(mp + "/dir2", mp + "/dir2/dir")));
        assertEquals(Errno.EINVAL, errno(() -> p.rename(mp + "/dir2", mp + "/dir2/subdir/dir2")));
        checkfile(mp + "/dir3", ref);
        // over a directory that is not empty
        assertEquals(Errno.ENOTEMPTY, errno(() -> p.rename(mp + "/dir2", mp + "/dir3")));
        // across directories
        p.rename(mp + "/dir3", mp + "/dir2/somedir");
        checkfile(mp + "/dir2/somedir", ref);
        // to the parent
        p.rename(mp + "/dir2/somedir", mp + "/dir2/somedir/../../dir3");
        checkfile(mp + "/dir2/../dir3", ref);
        // over an empty directory, across directories
        p.rename(mp + "/dir2/../dir3", mp + "/dir2/subdir");
        checkfile(mp + "/dir2/subdir", ref);
        // over an empty directory in the same parent
        p.mkdir(mp + "/parent", 0777);
        p.mkdir(mp + "/parent/dir1", 0777);
        p.mkdir(mp + "/parent/dir2", 0777);
        p.rename(mp + "/parent/dir1", mp + "/parent/dir2");
        assertEquals(3, p.stat(mp + "/parent").nlink());
        p.rmdir(mp + "/parent/dir2");
        p.rmdir(mp + "/parent");
    }

    @Test
    void rename_dotdot(Kernel k) throws Exception {
        setUp(k);
        p.chdir(mp);
        p.mkdir("dir1", 0777);
        p.mkdir("dir2", 0777);
        assertEquals(Errno.EINVAL, errno(() -> p.rename("dir1", "dir1/..")));
        assertEquals(Errno.EINVAL, errno(() -> p.rename("dir1/..", "sometarget")));
        assertEquals(Errno.EINVAL, errno(() -> p.rename("dir1", "dir2/..")));
    }

    @Test
    void rename_reg_nodir(Kernel k) throws Exception {
        setUp(k);
        p.chdir(mp);
        p.mknod("file1", StatMode.S_IFREG | 0777, -1);
        p.mknod("file2", StatMode.S_IFREG | 0777, -1);
        long f1ino = p.stat("file1").ino();
        p.link("file1", "file_link");
        assertEquals(f1ino, p.stat("file_link").ino());
        assertEquals(2, p.stat("file_link").nlink());
        p.stat("file2");
        p.rename("file1", "file3");
        assertEquals(f1ino, p.stat("file3").ino());
        assertEquals(Errno.ENOENT, errno(() -> p.stat("file1")));
        p.rename("file3", "file2");
        assertEquals(f1ino, p.stat("file2").ino());
        assertEquals(Errno.ENOENT, errno(() -> p.stat("file3")));
        // onto a hard link of itself: nothing happens, both names stay
        p.rename("file2", "file_link");
        assertEquals(f1ino, p.stat("file_link").ino());
        assertEquals(2, p.stat("file_link").nlink());
        assertEquals(f1ino, p.stat("file2").ino());
        p.unlink("file2");
        assertEquals(1, p.stat("file_link").nlink());
        assertEquals(Errno.EFAULT, errno(() -> p.rename("file_link", null)));
        assertEquals(Errno.EFAULT, errno(() -> p.rename(null, "file_link")));
    }

    @Test
    void create_many(Kernel k) throws Exception {
        setUp(k);
        p.chdir(mp);
        p.mkdir("subdir", 0777);
        p.chdir("subdir");
        int nfiles = 2324;
        for (int i = 0; i < nfiles; i++) {
            p.close(p.open("testfile" + i, O_RDWR | O_CREAT | O_EXCL, 0666));
        }
        assertEquals(nfiles + 2, p.list(".").size());
        for (int i = 0; i < nfiles; i++) {
            p.unlink("testfile" + i);
        }
        assertEquals(List.of(".", ".."), p.list("."));
    }

    @Test
    void create_nonalphanum(Kernel k) throws Exception {
        setUp(k);
        p.chdir(mp);
        int made = 0;
        for (int i = 0; i < 256; i++) {
            String name = String.valueOf((char) i);
            int fd;
            try {
                fd = p.open(name, O_RDWR | O_CREAT | O_EXCL, 0666);
            } catch (ErrnoException e) {
                continue;
            }
            p.close(fd);
            p.unlink(name);
            made++;
        }
        // NUL, "/" and "." are the only names a directory cannot take
        assertEquals(253, made);
    }

    @Test
    void create_nametoolong(Kernel k) throws Exception {
        setUp(k);
        p.chdir(mp);
        long max = h.vfs.pathconf(p.l, ".", PathConf._PC_NAME_MAX);
        assertEquals(1, h.vfs.pathconf(p.l, ".", PathConf._PC_NO_TRUNC));
        String name = "a".repeat((int) max + 1);
        assertEquals(Errno.ENAMETOOLONG, errno(() -> p.open(name, O_RDWR | O_CREAT, 0666)));
        String fits = "a".repeat((int) max);
        p.close(p.open(fits, O_RDWR | O_CREAT, 0666));
        p.unlink(fits);
    }

    @Test
    void create_exist(Kernel k) throws Exception {
        setUp(k);
        p.chdir(mp);
        p.close(p.open("hoge", O_RDWR | O_CREAT | O_EXCL, 0666));
        p.unlink("hoge");
        p.close(p.open("hoge", O_RDWR | O_CREAT, 0666));
        p.close(p.open("hoge", O_RDWR | O_CREAT, 0666));
        assertEquals(Errno.EEXIST, errno(() -> p.open("hoge", O_RDWR | O_CREAT | O_EXCL, 0666)));
        p.unlink("hoge");
    }

    @Test
    void rename_nametoolong(Kernel k) throws Exception {
        setUp(k);
        p.chdir(mp);
        String name = "a".repeat((int) h.vfs.pathconf(p.l, ".", PathConf._PC_NAME_MAX) + 1);
        p.close(p.open("dummy", O_RDWR | O_CREAT, 0666));
        assertEquals(Errno.ENAMETOOLONG, errno(() -> p.rename("dummy", name)));
        p.stat("dummy");
    }

    private void symlinkLen(int len) throws ErrnoException {
        String target = "a".repeat(len);
        try {
            p.symlink(target, "afile");
        } catch (ErrnoException e) {
            assertEquals(Errno.ENAMETOOLONG, e.errno(), "symlink of " + len);
            return;
        }
        assertEquals(target, h.vfs.readlink(p.l, "afile"));
        p.unlink("afile");
    }

    @Test
    void symlink_zerolen(Kernel k) throws Exception {
        setUp(k);
        p.chdir(mp);
        symlinkLen(0);
    }

    @Test
    void symlink_long(Kernel k) throws Exception {
        setUp(k);
        p.chdir(mp);
        for (int len = 2; len <= 65536; len *= 2) {
            for (int fuzz = -1; fuzz <= 1; fuzz++) {
                symlinkLen(len + fuzz);
            }
        }
        p.symlink("b".repeat(PathConf.PATH_MAX - 1), "longest");
        assertEquals(PathConf.PATH_MAX - 1, p.lstat("longest").size());
    }

    @Test
    void symlink_root(Kernel k) throws Exception {
        setUp(k);
        p.chdir(mp);
        p.symlink("/", "foo");
        p.chdir("foo");
        assertEquals("/", h.vfs.getcwd(p.l));
    }

    @Test
    void attrs(Kernel k) throws Exception {
        enter(k);
        p.close(p.open("afile", O_RDWR | O_CREAT, 0755));
        Stat sb = p.stat("afile");
        h.vfs.chown(p.l, "afile", 1, 2);
        h.vfs.chmod(p.l, "afile", 0123);
        Timespec[] tv = {new Timespec(1000000000L, 1000), new Timespec(1000000002L, 3000)};
        h.vfs.utimensat(p.l, Fcntl.AT_FDCWD, "afile", tv, 0);
        h.vfs.utimensat(p.l, Fcntl.AT_FDCWD, "afile", tv, 0);
        Stat sb2 = p.stat("afile");
        assertEquals(1, sb2.uid());
        assertEquals(2, sb2.gid());
        assertEquals((sb.mode() & ~StatMode.ACCESSPERMS) | 0123, sb2.mode());
        assertEquals(1000000000L, sb2.atimeSec());
        assertEquals(1000, sb2.atimeNsec());
        assertEquals(1000000002L, sb2.mtimeSec());
        assertEquals(3000, sb2.mtimeNsec());
    }

    @Test
    void fcntl_lock(Kernel k) throws Exception {
        enter(k);
        Flock l = new Flock(1024, 1024, 0, Fcntl.F_RDLCK | Fcntl.F_WRLCK, Fcntl.SEEK_END);
        int fd = p.open("afile", O_RDWR | O_CREAT, 0755);
        h.vfs.ftruncate(p.l, fd, 8192);
        h.vfs.fcntlLock(p.l, fd, Fcntl.F_SETLK, l);
        Harness.P p2 = p.fork();
        int fd2 = p2.open("afile", O_RDWR);
        assertEquals(Errno.EAGAIN, errno(() -> h.vfs.fcntlLock(p2.l, fd2, Fcntl.F_SETLK, l)));
        h.vfs.fcntlLock(p.l, fd, Fcntl.F_SETLK, new Flock(1024, 1024, 0, Fcntl.F_UNLCK, Fcntl.SEEK_END));
        h.vfs.fcntlLock(p2.l, fd2, Fcntl.F_SETLK, l);
        p2.close(fd2);
        p2.exit();
        p.close(fd);
    }

    /** All locks blocking [start, start+len) as F_GETLK finds them, as t_vnops's fcntl_getlocks walks. */
    private List<Flock> getlocks(Harness.P q, int fd, long start, long len, int room) throws ErrnoException {
        List<Flock> out = new ArrayList<>();
        if (room == 0) {
            return out;
        }
        Flock f = h.vfs.fcntlLock(q.l, fd, Fcntl.F_GETLK, new Flock(start, len, 0, Fcntl.F_RDLCK, Fcntl.SEEK_SET));
        if (f.type() == Fcntl.F_UNLCK) {
            return out;
        }
        out.add(f);
        assertEquals(Fcntl.SEEK_SET, f.whence());
        if (f.start() > start) {
            out.addAll(getlocks(q, fd, start, f.start() - start, room - out.size()));
        }
        if (f.len() == 0) {
            return out;
        }
        if (len == 0) {
            out.addAll(getlocks(q, fd, f.start() + f.len(), len, room - out.size()));
        } else if (f.start() + f.len() < start + len) {
            out.addAll(getlocks(q, fd, f.start() + f.len(), len - (f.start() + f.len() - start), room - out.size()));
        }
        return out;
    }

    @Test
    void fcntl_getlock_pids(Kernel k) throws Exception {
        enter(k);
        Flock[] lock = {
            new Flock(0, 2, 0, Fcntl.F_WRLCK, Fcntl.SEEK_SET),
            new Flock(2, 1, 0, Fcntl.F_WRLCK, Fcntl.SEEK_SET),
            new Flock(7, 5, 0, Fcntl.F_WRLCK, Fcntl.SEEK_SET),
            new Flock(4, 3, 0, Fcntl.F_WRLCK, Fcntl.SEEK_SET),
        };
        Harness.P[] procs = new Harness.P[5];
        int[] fds = new int[5];
        List<Flock> expect = new ArrayList<>();
        int oflags = O_RDWR | O_CREAT;
        for (int i = 0; i < procs.length; i++) {
            procs[i] = p.fork();
            fds[i] = procs[i].open("afile", oflags, 0755);
            oflags = O_RDWR;
            h.vfs.ftruncate(procs[i].l, fds[i], 8192);
            if (i < lock.length) {
                h.vfs.fcntlLock(procs[i].l, fds[i], Fcntl.F_SETLK, lock[i]);
                Flock e = lock[i];
                expect.add(new Flock(e.start(), e.len(), procs[i].proc.pid(), e.type(), e.whence()));
            }
        }
        expect.sort(Comparator.comparingLong(Flock::start));
        for (int i = 0; i < procs.length; i++) {
            List<Flock> result = getlocks(procs[i], fds[i], 0, 8192, 5);
            if (i < lock.length) {
                Flock own = lock[i];
                result.add(new Flock(own.start(), own.len(), procs[i].proc.pid(), own.type(), own.whence()));
            }
            result.sort(Comparator.comparingLong(Flock::start));
            assertEquals(expect, result, "as seen by process " + i);
        }
        for (Harness.P q : procs) {
            q.exit();
        }
    }

    @Test
    void access_simple(Kernel k) throws Exception {
        enter(k);
        p.close(p.open("tfile", O_CREAT | O_RDWR, 0777));
        int all = Fcntl.F_OK | Fcntl.X_OK | Fcntl.W_OK | Fcntl.R_OK;
        h.vfs.access(p.l, "tfile", all);
        assertEquals(Errno.EINVAL, errno(() -> h.vfs.access(p.l, "tfile", all + 1)));
    }

    @Test
    void read_directory(Kernel k) throws Exception {
        enter(k);
        int fd = p.open(".", O_DIRECTORY | O_RDONLY, 0777);
        assertEquals(Errno.EISDIR, errno(() -> h.vfs.pread(p.l, fd, ByteBuffer.allocate(1024), 0)));
        assertEquals(Errno.EISDIR, errno(() -> h.vfs.read(p.l, fd, ByteBuffer.allocate(1024))));
        p.close(fd);
    }

    @Test
    void lstat_symlink(Kernel k) throws Exception {
        enter(k);
        p.symlink("source", "destination");
        Stat st = p.lstat("destination");
        assertTrue(st.isLink());
        assertEquals("source".length(), st.size());
    }

    @Test
    void link_counts(Kernel k) throws Exception {
        enter(k);
        int base = p.stat(".").nlink();
        p.mkdir("d", 0755);
        assertEquals(2, p.stat("d").nlink());
        assertEquals(base + 1, p.stat(".").nlink());
        p.mkdir("d/e", 0755);
        p.mkdir("d/f", 0755);
        assertEquals(4, p.stat("d").nlink());
        p.rename("d/e", "e");
        assertEquals(3, p.stat("d").nlink());
        assertEquals(base + 2, p.stat(".").nlink());
        p.rmdir("e");
        p.rmdir("d/f");
        assertEquals(2, p.stat("d").nlink());
        p.writeFile("x", "1");
        p.link("x", "d/y");
        assertEquals(2, p.stat("x").nlink());
        assertEquals(Errno.EPERM, errno(() -> p.link("d", "dd")));
        assertEquals(Errno.EEXIST, errno(() -> p.link("x", "d/y")));
        p.unlink("x");
        assertEquals(1, p.stat("d/y").nlink());
        assertEquals("1", p.readFile("d/y"));
    }

    @Test
    void rename_replaces_and_keeps_open_file(Kernel k) throws Exception {
        enter(k);
        p.writeFile("a", "new");
        p.writeFile("b", "old");
        int fd = p.open("b", O_RDONLY);
        long oldIno = p.stat("b").ino();
        p.rename("a", "b");
        assertNotEquals(oldIno, p.stat("b").ino());
        assertEquals("new", p.readFile("b"));
        assertEquals("old", new String(p.read(fd, 10)));
        p.close(fd);
        assertEquals(Errno.EISDIR, errno(() -> {
            p.mkdir("dir", 0755);
            p.rename("b", "dir");
        }));
        p.mkdir("dir2", 0755);
        assertEquals(Errno.ENOTDIR, errno(() -> p.rename("dir2", "b")));
        assertEquals(Errno.ENOTDIR, errno(() -> p.rename("b/", "c")));
        assertEquals(Errno.ENOENT, errno(() -> p.rename("nothing", "c")));
    }

    @Test
    void getdents_dot_entries_and_cookies(Kernel k) throws Exception {
        enter(k);
        p.mkdir("d", 0755);
        for (int i = 0; i < 100; i++) {
            p.writeFile("d/f" + i, "");
        }
        int fd = p.open("d", O_RDONLY | O_DIRECTORY);
        List<Dirent> first = h.vfs.getdents(p.l, fd, 512);
        assertEquals(".", first.get(0).name());
        assertEquals("..", first.get(1).name());
        assertEquals(p.stat("d").ino(), first.get(0).fileno());
        assertEquals(p.stat(".").ino(), first.get(1).fileno());
        int used = 0;
        for (Dirent d : first) {
            used += d.reclen();
            assertEquals(0, d.reclen() % 8);
        }
        assertTrue(used <= 512);
        // entries removed and added while reading: every entry present throughout is seen once
        p.unlink("d/f99");
        p.writeFile("d/late", "");
        List<String> names = new ArrayList<>();
        first.forEach(d -> names.add(d.name()));
        for (List<Dirent> ds; !(ds = h.vfs.getdents(p.l, fd, 512)).isEmpty(); ) {
            ds.forEach(d -> names.add(d.name()));
        }
        for (int i = 0; i < 99; i++) {
            assertEquals(1, names.stream().filter(("f" + i)::equals).count(), "f" + i);
        }
        assertEquals(Errno.EINVAL, errno(() -> {
            h.vfs.lseek(p.l, fd, 0, Fcntl.SEEK_SET);
            h.vfs.getdents(p.l, fd, 8);
        }));
        p.close(fd);
    }
}
