package io.jrump.vfs;

import io.jrump.kern.vfs.StatMode;
import io.jrump.kern.vfs.Fcntl;


import static io.jrump.kern.vfs.Fcntl.O_RDONLY;
import static io.jrump.vfs.Harness.errno;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.hypercall.Errno;
import io.jrump.kern.Cred;
import io.jrump.kern.Kernel;
import io.jrump.testkit.RumpKernel;
import io.jrump.vfs.etfs.Etfs;
import io.jrump.vfs.etfs.EtfsType;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No path escapes a registered host directory: {@code ..} at the top, host links pointing out (absolute,
 * relative, in chains, through linked directories, swapped in after a lookup), and names with {@code /}
 * or NUL. Outside the directory lies a secret each test tries to reach.
 */
@RumpKernel(components = "rumpvfs")
class EtfsEscapeTest {
    @TempDir
    Path tmp;
    private Path site;
    private Path outside;

    @BeforeEach
    void hostTree() throws Exception {
        site = Files.createDirectories(tmp.resolve("a/b/site"));
        Files.createDirectories(site.resolve("sub"));
        Files.writeString(site.resolve("sub/ok"), "inside");
        outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("secret"), "SECRET");
        Files.writeString(tmp.resolve("a/b/secret"), "SECRET");
        Files.createSymbolicLink(site.resolve("abs"), outside.resolve("secret"));
        Files.createSymbolicLink(site.resolve("sub/rel"), Path.of("../../secret"));
        Files.createSymbolicLink(site.resolve("chain1"), Path.of("chain2"));
        Files.createSymbolicLink(site.resolve("chain2"), Path.of("sub/rel"));
        Files.createSymbolicLink(site.resolve("absdir"), outside);
        Files.createSymbolicLink(site.resolve("reldir"), Path.of("../../../outside"));
        Files.createSymbolicLink(site.resolve("inside"), Path.of("sub/ok"));
    }

    private Harness mount(Kernel k) throws Exception {
        k.service(Etfs.class).register("/www", site.toString(), EtfsType.DIRSUB);
        return new Harness(k);
    }

    private static void assertNoSecret(Harness.P p, String path) {
        int e = errno(() -> {
            String got = p.readFile(path);
            assertTrue(!got.contains("SECRET"), path + " escaped: " + got);
        });
        assertTrue(e == Errno.ENOENT || e == Errno.ENOTDIR || e == Errno.EINVAL || e == Errno.ELOOP,
                path + ": " + Errno.name(e));
    }

    @Test
    void dotdot_at_the_top_is_the_kernels_root(Kernel k) throws Exception {
        Harness h = mount(k);
        Harness.P p = h.root();
        assertEquals(p.stat("/").ino(), p.stat("/www/..").ino());
        assertEquals(p.stat("/").ino(), p.stat("/www/sub/../../..").ino());
        assertNoSecret(p, "/www/../secret");
        assertNoSecret(p, "/www/../../b/secret");
        assertNoSecret(p, "/www/sub/../../../../../outside/secret");
        assertNoSecret(p, "/www/../../../etc/hostname");
        p.chdir("/www/sub");
        assertNoSecret(p, "../../secret");
        assertEquals("/", h.vfs.getcwd(p.l).substring(0, 1));
    }

    @Test
    void host_links_resolve_in_the_kernels_namespace(Kernel k) throws Exception {
        Harness h = mount(k);
        Harness.P p = h.root();
        assertEquals(StatMode.S_IFLNK, p.lstat("/www/abs").type());
        assertNoSecret(p, "/www/abs");
        assertNoSecret(p, "/www/sub/rel");
        assertNoSecret(p, "/www/chain1");
        assertNoSecret(p, "/www/absdir/secret");
        assertNoSecret(p, "/www/reldir/secret");
        assertEquals("inside", p.readFile("/www/inside"), "a link that stays inside works");
        assertTrue(!p.list("/www").isEmpty());
        assertEquals(Errno.ENOENT, errno(() -> p.list("/www/absdir")));
    }

    @Test
    void a_directory_swapped_for_a_link_is_refused(Kernel k) throws Exception {
        Harness h = mount(k);
        Harness.P p = h.root();
        int dfd = p.open("/www/sub", O_RDONLY | Fcntl.O_DIRECTORY);
        assertEquals("inside", p.readFile("/www/sub/ok"));
        Files.move(site.resolve("sub"), site.resolve("sub.real"));
        Files.createSymbolicLink(site.resolve("sub"), outside);
        Files.writeString(outside.resolve("ok"), "SECRET");
        assertNoSecret(p, "/www/sub/ok");
        assertEquals(Errno.ENOENT, errno(() -> h.vfs.fstatat(p.l, dfd, "ok", 0)));
        assertEquals(Errno.ENOENT, errno(() -> h.vfs.getdents(p.l, dfd, 4096)));
        p.close(dfd);
    }

    @Test
    void names_with_slash_or_nul_never_reach_the_host(Kernel k) throws Exception {
        Harness h = mount(k);
        Harness.P p = h.root();
        assertEquals(Errno.EINVAL, errno(() -> p.stat("/www/sub\0/../../secret")));
        Vnode dir = h.vfs.namei().lookup(p.proc, null, "/www/sub", true);
        try {
            for (String bad : new String[] {"../../secret", "a/b", "ok\0", "\0", "..\0/x", "/etc/passwd", ""}) {
                dir.lockShared();
                int e;
                try {
                    e = errno(() -> dir.ops().lookup(dir, ComponentName.of(bad, ComponentName.LOOKUP)));
                } finally {
                    dir.unlock();
                }
                assertEquals(Errno.EINVAL, e, "lookup of " + bad.replace("\0", "\\0"));
                dir.lockExclusive();
                try {
                    e = errno(() -> dir.ops().create(dir, ComponentName.of(bad, ComponentName.CREATE),
                            Vattr.none(), Cred.ROOT));
                } finally {
                    dir.unlock();
                }
                assertEquals(Errno.EINVAL, e, "create of " + bad.replace("\0", "\\0"));
            }
        } finally {
            dir.rele();
        }
        assertTrue(!Files.exists(site.resolve("a")) && !Files.exists(tmp.resolve("a/b/site/sub/a")));
    }

    @Test
    void an_unprivileged_client_keeps_the_kernels_permissions(Kernel k) throws Exception {
        Harness h = mount(k);
        Harness.P root = h.root();
        Harness.P user = h.user(1000, 1000);
        h.vfs.chmod(root.l, "/www/sub/ok", 0600);
        assertEquals(Errno.EACCES, errno(() -> user.readFile("/www/sub/ok")));
        assertEquals("inside", root.readFile("/www/sub/ok"));
    }
}
