package io.jrump.vfs;

import io.jrump.kern.vfs.Stat;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jrump.hypercall.HostHypercall;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.HaltReport;
import io.jrump.kern.Kernel;
import io.jrump.kern.KernelConfig;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A Jazzer fuzz target for namei: the input bytes build a tree inside a chroot (directories, files,
 * symbolic links whose targets are made of {@code ..}, {@code .}, names and slashes, a second file system
 * mounted inside) and then look paths of the same material up, as the jailed process, through every
 * lookup flavour. No lookup may end outside the jail: every directory reached lies below the jail's root
 * and the file kept outside it is never found. Nothing but {@link ErrnoException} may come out, and each
 * input ends with the kernel halting clean.
 *
 * <p>Without {@code JAZZER_FUZZ} the target replays its seeds in
 * {@code src/test/resources/io/jrump/vfs/NameiFuzzTestInputs/lookups/};
 * {@link #seededRandomInputs()} adds a fixed-seed batch of random scripts to every build.
 */
class NameiFuzzTest {
    private static final String[] PARTS = {"a", "b", "c", "..", ".", "", "d/e", "/", "a/..", "../..", "x"};

    @FuzzTest(maxDuration = "60s")
    void lookups(byte[] data) throws Exception {
        run(data);
    }

    /** Random scripts from a fixed seed, so every build explores more than the stored seeds. */
    @Test
    void seededRandomInputs() throws Exception {
        SplittableRandom r = new SplittableRandom(20261207);
        for (int i = 0; i < 30; i++) {
            byte[] b = new byte[r.nextInt(8, 400)];
            r.nextBytes(b);
            run(b);
        }
    }

    /** Reads the script: each call takes the next byte, and zeros once they run out. */
    private static final class Script {
        private final byte[] b;
        private int i;

        Script(byte[] b) {
            this.b = b;
        }

        boolean more() {
            return i < b.length;
        }

        int u8() {
            return i < b.length ? b[i++] & 0xff : 0;
        }

        String path() {
            int n = 1 + u8() % 6;
            StringBuilder sb = new StringBuilder();
            if (u8() % 3 == 0) {
                sb.append('/');
            }
            for (int j = 0; j < n; j++) {
                if (j > 0) {
                    sb.append('/');
                }
                sb.append(PARTS[u8() % PARTS.length]);
            }
            if (u8() % 5 == 0) {
                sb.append('/');
            }
            return sb.toString();
        }
    }

    static void run(byte[] data) throws Exception {
        Kernel k = Kernel.boot(KernelConfig.builder().hypercall(HostHypercall.builder().environment(Map.of()).build())
                .component("rumpvfs").build());
        try {
            exercise(k, new Script(data));
        } finally {
            HaltReport r = k.halt();
            assertTrue(r.clean(), "kernel did not halt cleanly: " + r);
        }
    }

    private static void exercise(Kernel k, Script in) throws Exception {
        Harness h = new Harness(k);
        Harness.P root = h.root();
        root.writeFile("/secret", "outside");
        Stat secret = root.stat("/secret");
        root.mkdir("/jail", 0755);
        root.mkdir("/jail/a", 0755);
        root.mkdir("/jail/a/b", 0755);
        root.mkdir("/jail/m", 0755);
        h.vfs.mount(root.l, "rumpfs", "/jail/m", 0, null);
        Harness.P p = root.fork();
        h.vfs.chroot(p.l, "/jail");
        Vnode jail = h.vfs.namei().lookup(root.proc, null, "/jail", true);
        try {
            int builds = in.u8() % 24;
            for (int i = 0; i < builds && in.more(); i++) {
                String path = in.path();
                try {
                    switch (in.u8() % 4) {
                        case 0 -> p.mkdir(path, 0755);
                        case 1 -> p.writeFile(path, "in");
                        case 2 -> p.symlink(in.path(), path);
                        default -> p.chdir(path);
                    }
                } catch (ErrnoException e) {
                    // most random paths name nothing
                }
            }
            while (in.more()) {
                String path = in.path();
                boolean follow = (in.u8() & 1) == 0;
                look(h, p, jail, secret, path, follow);
            }
            assertEquals(0, h.vfs.getcwd(p.l).indexOf('/'), "getcwd stays below the jail's root");
        } finally {
            jail.rele();
            p.exit();
        }
    }

    private static void look(Harness h, Harness.P p, Vnode jail, Stat secret, String path, boolean follow)
            throws Exception {
        Namei namei = h.vfs.namei();
        try {
            Vnode vp = namei.lookup(p.proc, null, path, follow);
            try {
                check(h, jail, secret, vp);
            } finally {
                vp.rele();
            }
        } catch (ErrnoException e) {
            // fine: a lookup may fail, with an errno
        }
        try {
            Namei.Parent par = namei.lookupParent(p.proc, null, path, follow, ComponentName.CREATE);
            try {
                check(h, jail, secret, par.dvp());
            } finally {
                par.dvp().rele();
            }
        } catch (ErrnoException e) {
            // likewise
        }
        try {
            Stat st = p.stat(path);
            assertTrue(st.dev() != secret.dev() || st.ino() != secret.ino(), path + " reached the file outside");
        } catch (ErrnoException e) {
            // likewise
        }
    }

    private static void check(Harness h, Vnode jail, Stat secret, Vnode vp) throws ErrnoException {
        Stat st = AttrOps.stat(vp);
        if (st.dev() == secret.dev() && st.ino() == secret.ino()) {
            fail("a lookup reached the file outside the jail");
        }
        if (vp.type() == VType.VDIR && !h.vfs.namei().isUnder(vp, jail)) {
            fail("a lookup reached a directory outside the jail: " + h.vfs.getcwd().pathOf(vp, null));
        }
    }
}
