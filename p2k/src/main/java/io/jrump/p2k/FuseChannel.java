package io.jrump.p2k;

import com.sun.jna.Memory;

/**
 * Where requests come from and replies go: {@code /dev/fuse} ({@link FuseUser}), or a test's recorder.
 * Reads and writes move whole messages and report failures as minus Linux's errno.
 */
interface FuseChannel {
    /** One request into {@code buf}: its length, or minus the errno (ENODEV once the connection is gone). */
    int read(Memory buf);

    /** One reply of {@code len} bytes from {@code buf}: 0, or minus the errno. */
    int write(Memory buf, int len);
}
