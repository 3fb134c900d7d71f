package io.jrump.fs.ext2fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrump.hypercall.Errno;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Hand-made corruption of a small image (1 KiB blocks, one group; resource {@code base.img.gz}, made by
 * {@code mke2fs} and {@code debugfs}): each case names the damage and the errno a user sees. The
 * driver never throws, hangs or writes past the image ({@link ImageExercise} checks that for all).
 */
class CorruptionTest {
    private static final int BS = 1024;

    /** The base image with accessors for the fields the cases damage. */
    private static final class Img {
        final byte[] b;
        final ByteBuffer le;

        Img() throws Exception {
            b = ImageExercise.baseImage();
            le = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        }

        int inodeSize() {
            return le.getShort(1024 + 88) & 0xffff;
        }

        int inodeTable() {
            return le.getInt(2 * BS + 8);
        }

        int blockBitmap() {
            return le.getInt(2 * BS);
        }

        int inodeBitmap() {
            return le.getInt(2 * BS + 4);
        }

        int inodeOff(int ino) {
            return inodeTable() * BS + (ino - 1) * inodeSize();
        }

        int block(int ino, int i) {
            return le.getInt(inodeOff(ino) + 40 + 4 * i);
        }

        /** Offset of the entry {@code name} in directory inode {@code dir}'s first block. */
        int entry(int dir, String name) {
            int base = block(dir, 0) * BS;
            byte[] n = name.getBytes(StandardCharsets.US_ASCII);
            for (int off = 0; off < BS;) {
                int rec = le.getShort(base + off + 4) & 0xffff;
                int len = b[base + off + 6] & 0xff;
                if (len == n.length && new String(b, base + off + 8, len, StandardCharsets.US_ASCII).equals(name)) {
                    return base + off;
                }
                off += rec;
            }
            throw new AssertionError("no entry " + name);
        }

        int ino(int dir, String name) {
            return le.getInt(entry(dir, name));
        }
    }

    private static ImageExercise run(Img img) throws Exception {
        return ImageExercise.run(img.b);
    }

    @Test
    void intactImageWalksAndWrites() throws Exception {
        ImageExercise x = run(new Img());
        assertEquals(0, x.mountErrno);
        assertEquals(0, x.walkErrno);
        assertEquals(0, x.writeErrno, x.console);
        assertEquals(0, x.unmountErrno);
    }

    @Test
    void badMagicIsEinval() throws Exception {
        Img i = new Img();
        i.le.putShort(1024 + 56, (short) 0x1234);
        ImageExercise x = run(i);
        assertEquals(Errno.EINVAL, x.mountErrno);
        assertTrue(x.console.contains("bad magic"), x.console);
    }

    @Test
    void zeroedSuperblockFieldsAreEinval() throws Exception {
        for (int field : new int[] {0, 4, 24, 32, 40, 20, 88}) {
            Img i = new Img();
            if (field == 24) {
                i.le.putInt(1024 + field, 30);
            } else if (field == 88) {
                i.le.putShort(1024 + field, (short) 0);
            } else {
                i.le.putInt(1024 + field, field == 20 ? 7 : 0);
            }
            assertEquals(Errno.EINVAL, run(i).mountErrno, "superblock field at " + field);
        }
    }

    @Test
    void blocksCountPastTheDeviceIsEinval() throws Exception {
        Img i = new Img();
        i.le.putInt(1024 + 4, 1 << 20);
        assertEquals(Errno.EINVAL, run(i).mountErrno);
    }

    @Test
    void inodeTableOutsideTheGroupIsEinval() throws Exception {
        Img i = new Img();
        i.le.putInt(2 * BS + 8, 0x0fffffff);
        assertEquals(Errno.EINVAL, run(i).mountErrno);
    }

    @Test
    void directoryRecordOverrunningItsBlockIsEio() throws Exception {
        for (int rec : new int[] {0, 2, BS + 4, 1020}) {
            Img i = new Img();
            int off = i.entry(2, "d");
            i.le.putShort(off + 4, (short) rec);
            ImageExercise x = run(i);
            assertEquals(0, x.mountErrno);
            assertEquals(Errno.EIO, x.walkErrno, "rec_len " + rec);
            assertTrue(x.console.contains("corrupt"), x.console);
        }
    }

    @Test
    void nameLongerThanItsRecordIsEio() throws Exception {
        Img i = new Img();
        int off = i.entry(2, "mid");
        i.b[off + 6] = (byte) 250;
        assertEquals(Errno.EIO, run(i).walkErrno);
    }

    @Test
    void directoryLoopEndsInErrorsNotAHang() throws Exception {
        Img i = new Img();
        int d = i.ino(2, "d");
        int e = i.ino(d, "e");
        // e's ".." names e itself, and d holds an entry back to the root
        i.le.putInt(i.entry(e, ".."), e);
        i.le.putInt(i.entry(d, "small"), 2);
        ImageExercise x = run(i);
        assertEquals(0, x.mountErrno);
    }

    @Test
    void blockNumberPastTheEndIsEio() throws Exception {
        Img i = new Img();
        int mid = i.ino(2, "mid");
        i.le.putInt(i.inodeOff(mid) + 40, 0x7fffffff);
        i.le.putInt(i.inodeOff(mid) + 40 + 4 * 12, 0x10000);
        ImageExercise x = run(i);
        assertEquals(Errno.EIO, x.walkErrno);
    }

    @Test
    void indirectBlockPointingAtItselfIsEioOnFree() throws Exception {
        Img i = new Img();
        int mid = i.ino(2, "mid");
        int ind = i.block(mid, 12);
        assertTrue(ind != 0, "the base image's mid has an indirect block");
        i.le.putInt(ind * BS + 4, ind);
        ImageExercise x = run(i);
        assertEquals(0, x.mountErrno);
        assertEquals(Errno.EIO, x.writeErrno, x.console);
    }

    @Test
    void blockBitmapCallingMetadataFreeIsEio() throws Exception {
        Img i = new Img();
        int itable = i.inodeTable();
        int bit = itable - 1;
        i.b[i.blockBitmap() * BS + bit / 8] &= (byte) ~(1 << (bit % 8));
        ImageExercise x = run(i);
        assertEquals(Errno.EIO, x.writeErrno, x.console);
        assertTrue(x.console.contains("metadata"), x.console);
    }

    @Test
    void inodeBitmapCallingALiveInodeFreeIsEio() throws Exception {
        Img i = new Img();
        for (int ino = 11; ino <= 17; ino++) {
            int bit = ino - 1;
            i.b[i.inodeBitmap() * BS + bit / 8] &= (byte) ~(1 << (bit % 8));
        }
        ImageExercise x = run(i);
        assertEquals(Errno.EIO, x.writeErrno, x.console);
    }

    @Test
    void directorySizeNotWholeBlocksIsEio() throws Exception {
        Img i = new Img();
        int d = i.ino(2, "d");
        i.le.putInt(i.inodeOff(d) + 4, 1000);
        assertEquals(Errno.EIO, run(i).walkErrno);
    }

    @Test
    void rootWithBadSizeFailsTheMountAndLeaksNothing() throws Exception {
        Img i = new Img();
        i.le.putInt(i.inodeOff(2) + 4, 1000);
        assertEquals(Errno.EIO, run(i).mountErrno);
        Img j = new Img();
        j.le.putShort(j.inodeOff(2), (short) 0x81a4);
        assertEquals(Errno.EINVAL, run(j).mountErrno);
    }

    @Test
    void hugeSymlinkIsEio() throws Exception {
        Img i = new Img();
        int slow = i.ino(2, "slow");
        i.le.putInt(i.inodeOff(slow) + 4, 5000);
        assertEquals(Errno.EIO, run(i).walkErrno);
    }

    @Test
    void entryNamingAFreeInodeIsEio() throws Exception {
        Img i = new Img();
        i.le.putInt(i.entry(2, "mid"), 30);
        assertEquals(Errno.EIO, run(i).walkErrno);
    }
}
