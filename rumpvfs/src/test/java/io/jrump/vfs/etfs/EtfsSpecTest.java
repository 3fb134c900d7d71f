package io.jrump.vfs.etfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.kern.Kernel;
import io.jrump.testkit.RumpKernel;
import io.jrump.kern.vfs.Fcntl;
import io.jrump.kern.vfs.StatMode;
import io.jrump.vfs.Vfs;
import io.jrump.kern.sched.Lwp;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rump_server -d} specs: what parses, what each error says, and what applying one does to the host. */
class EtfsSpecTest {
    @TempDir
    Path tmp;

    @Test
    void specs_parse() {
        assertEquals(new EtfsSpec("/dk", "disk.img", EtfsType.BLK, 64L << 20, 0),
                EtfsSpec.parse("key=/dk,hostpath=disk.img,size=64m"));
        assertEquals(new EtfsSpec("/dk", "d", EtfsType.CHR, 1L << 40, 4096),
                EtfsSpec.parse("key=/dk,hostpath=d,size=1t,type=chr,offset=8b"));
        assertEquals(new EtfsSpec("/f", "f", EtfsType.REG, 100, 0),
                EtfsSpec.parse("key=/f, hostpath=f, size=100, disktype=reg"));
        assertEquals(new EtfsSpec("/dk", "disk.img", EtfsType.BLK, Etfs.SIZE_ENDOFF, 0),
                EtfsSpec.parse("key=/dk,hostpath=disk.img,size=host"));
        assertEquals(new EtfsSpec("/www", "./site", EtfsType.DIR, Etfs.SIZE_ENDOFF, 0),
                EtfsSpec.parse("key=/www,hostpath=./site,type=dir"));
        assertEquals(EtfsType.DIRSUB, EtfsSpec.parse("key=/www,hostpath=./site,type=dirsub").type());
    }

    private static String error(String spec) {
        return assertThrows(IllegalArgumentException.class, () -> EtfsSpec.parse(spec)).getMessage();
    }

    @Test
    void bad_specs_say_what_is_wrong() {
        assertTrue(error("key=/dk,hostpath=x").contains("size= is required"));
        assertTrue(error("key=dk,hostpath=x,size=1m").contains("must start with /"));
        assertTrue(error("hostpath=x,size=1m").contains("key= and hostpath= are required"));
        assertTrue(error("key=/dk,hostpath=x,size=lots").contains("bad size 'lots'"));
        assertTrue(error("key=/dk,hostpath=x,size=1m,type=tape").contains("unknown etfs type 'tape'"));
        assertTrue(error("key=/dk,hostpath=x,size=1m,colour=blue").contains("unknown parameter 'colour'"));
        assertTrue(error("key=/dk,hostpath").contains("key=value"));
        assertTrue(error("key=/dk,key=/dl,hostpath=x,size=1").contains("key=value"));
        assertTrue(error("key=/w,hostpath=x,type=dir,size=1m").contains("no size= or offset="));
        assertTrue(error("key=/dk,hostpath=x,size=0").contains("size must not be 0"));
        assertTrue(error("key=/dk,hostpath=x,size=-5").contains("bad size"));
        assertTrue(error("key=/dk,hostpath=x,size=99999999999t").contains("bad size"));
    }

    @Test
    @RumpKernel(components = "rumpvfs")
    void applying_creates_or_extends_the_host_file(Kernel k) throws Exception {
        Etfs etfs = k.service(Etfs.class);
        Vfs vfs = k.service(Vfs.class);
        Lwp l = k.proc1().newLwp("t");
        Path img = tmp.resolve("disk.img");
        EtfsSpec.parse("key=/dk,hostpath=" + img + ",size=64m").apply(etfs);
        assertEquals(64L << 20, Files.size(img), "created with a hole of the size asked for");
        assertEquals(StatMode.S_IFBLK, vfs.stat(l, "/dk").type());
        assertEquals(64L << 20, vfs.stat(l, "/dk").size());
        int fd = vfs.open(l, "/dk", Fcntl.O_RDWR, 0);
        vfs.pwrite(l, fd, ByteBuffer.wrap("sector".getBytes()), 512 * 1000);
        vfs.close(l, fd);
        etfs.remove("/dk");
        EtfsSpec.parse("key=/dk2,hostpath=" + img + ",size=32m,offset=64m,type=reg").apply(etfs);
        assertEquals(96L << 20, Files.size(img), "extended to offset plus size");
        EtfsSpec.parse("key=/dk3,hostpath=" + img + ",size=1m").apply(etfs);
        assertEquals(96L << 20, Files.size(img), "a larger file is left as it is");
        Path site = Files.createDirectories(tmp.resolve("site"));
        EtfsSpec.parse("key=/www,hostpath=" + site + ",type=dir").apply(etfs);
        assertEquals(StatMode.S_IFDIR, vfs.stat(l, "/www").type());
        io.jrump.kern.ErrnoException e = assertThrows(io.jrump.kern.ErrnoException.class,
                () -> EtfsSpec.parse("key=/www2,hostpath=" + tmp.resolve("nope") + ",type=dirsub").apply(etfs));
        assertEquals(io.jrump.hypercall.Errno.ENOENT, e.errno());
        k.proc1().lwpExit(l);
    }
}
