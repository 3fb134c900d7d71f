package io.jrump.kern.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jrump.hypercall.Errno;
import io.jrump.kern.Cred;
import io.jrump.kern.ErrnoException;
import io.jrump.kern.HaltReport;
import io.jrump.kern.Kernel;
import io.jrump.kern.Kernels;
import io.jrump.kern.TestFile;
import io.jrump.kern.sched.Proc;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Open files and descriptor slots are kernel memory: under a memory limit the kernel opens files until
 * the limit is reached, then answers ENFILE in every process (the limit is the kernel's, as the
 * kernel-wide file table's is), never throwing {@link OutOfMemoryError}; closing files in one process
 * makes room in another, and a halt finds nothing charged.
 */
class OpenFileMemoryTest {
    private static final long LIMIT = 128 * 1024;

    @Test
    void filesUntilEnfileInEveryProcessThenClosingMakesRoom() throws Exception {
        Kernel k = Kernel.boot(Kernels.config().memoryLimit(LIMIT).maxFilesPerProc(100_000).build());
        Proc a = k.createProcess("a", Cred.ROOT);
        Proc b = k.createProcess("b", Cred.ROOT);
        List<Integer> fds = fill(k, a);
        int inB = fill(k, b).size();
        long files = (fds.size() + inB) * KFile.KMEM_BYTES;
        assertTrue(files <= LIMIT && files > LIMIT / 2, (fds.size() + inB) + " files of " + KFile.KMEM_BYTES
                + " bytes under a " + LIMIT + " byte limit");
        // closing makes room: twenty files' worth for ten files and the slots b's table may need
        for (int i = 0; i < 20; i++) {
            a.files().close(fds.remove(fds.size() - 1));
        }
        for (int i = 0; i < 10; i++) {
            b.files().install(KFile.alloc(k, new TestFile(), null, 0));
        }
        HaltReport r = k.halt();
        assertTrue(r.clean(), r.toString());
        assertEquals(0, k.kmem().used(), "every file and table slot gave its memory back");
    }

    /** Opens files in {@code p} until the kernel answers ENFILE; returns their descriptors. */
    private static List<Integer> fill(Kernel k, Proc p) throws ErrnoException {
        List<Integer> fds = new ArrayList<>();
        for (;;) {
            KFile fp;
            try {
                fp = KFile.alloc(k, new TestFile(), null, 0);
            } catch (ErrnoException e) {
                assertEquals(Errno.ENFILE, e.errno(), "opening a file past the limit: " + e);
                return fds;
            }
            try {
                fds.add(p.files().install(fp));
            } catch (ErrnoException e) {
                fp.dispose();
                assertEquals(Errno.ENFILE, e.errno(), "growing the descriptor table past the limit: " + e);
                return fds;
            }
            if (fds.size() > LIMIT) {
                fail("open files are not charged: " + fds.size() + " under a " + LIMIT + " byte limit");
            }
        }
    }
}
