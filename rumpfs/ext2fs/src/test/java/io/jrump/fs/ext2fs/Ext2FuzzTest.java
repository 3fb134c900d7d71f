package io.jrump.fs.ext2fs;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A Jazzer fuzz target for the driver's parsing of images: the input patches the small base image
 * ({@code base.img.gz}), which is then mounted, walked, read and written ({@link ImageExercise}).
 * Nothing but an errno may come out, nothing may hang or be written past the image, and the kernel
 * must halt clean.
 *
 * <p>The input is read four bytes at a time: a 16-bit word offset and two low bits give the byte
 * (anywhere in the 256 KiB image), a mode says set, xor or a 32-bit store, and a value. Without
 * {@code JAZZER_FUZZ} the target replays its seeds in
 * {@code src/test/resources/io/jrump/fs/ext2fs/Ext2FuzzTestInputs/images/};
 * {@link #seededMetadataDamage()} adds a fixed-seed batch aimed at the metadata blocks to every build.
 */
class Ext2FuzzTest {
    @FuzzTest(maxDuration = "60s")
    void images(byte[] data) throws Exception {
        ImageExercise.run(patch(ImageExercise.baseImage(), data));
    }

    static byte[] patch(byte[] img, byte[] data) {
        for (int i = 0; i + 3 < data.length; i += 4) {
            int word = ((data[i] & 0xff) << 8) | (data[i + 1] & 0xff);
            int mode = data[i + 2] & 0xff;
            int off = ((word << 2) | (mode & 3)) % img.length;
            byte v = data[i + 3];
            switch ((mode >>> 2) & 3) {
                case 0 -> img[off] = v;
                case 1 -> img[off] ^= v;
                case 2 -> {
                    for (int k = 0; k < 4 && off + k < img.length; k++) {
                        img[off + k] = (k == 0) ? v : 0;
                    }
                }
                default -> {
                    for (int k = 0; k < 4 && off + k < img.length; k++) {
                        img[off + k] = (byte) 0xff;
                    }
                }
            }
        }
        return img;
    }

    /** Damage from a fixed seed in the first 16 KiB: superblock, descriptors, bitmaps, inodes, directories. */
    @Test
    void seededMetadataDamage() throws Exception {
        SplittableRandom r = new SplittableRandom(20261207);
        for (int n = 0; n < 60; n++) {
            int patches = 1 + r.nextInt(6);
            byte[] data = new byte[patches * 4];
            for (int p = 0; p < patches; p++) {
                int off = 1024 + r.nextInt(15 * 1024);
                int word = off >>> 2;
                data[4 * p] = (byte) (word >>> 8);
                data[4 * p + 1] = (byte) word;
                data[4 * p + 2] = (byte) ((off & 3) | (r.nextInt(4) << 2));
                data[4 * p + 3] = (byte) r.nextInt(256);
            }
            ImageExercise.run(patch(ImageExercise.baseImage(), data));
        }
    }
}
