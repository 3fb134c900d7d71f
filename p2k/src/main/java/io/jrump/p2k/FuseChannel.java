package io.jrump.p2k;

import java.nio.ByteBuffer;

/**
 * Where requests come from and replies go: {@code /dev/fuse} ({@link FuseUser}), or a test's recorder.
 * Reads and writes move whole messages and report failures as minus Linux's errno.
 */
interface FuseChannel {
    /** One request into {@code buf}, a direct buffer (its whole capacity): its length, or minus the errno (ENODEV once the connection is gone). */
    int read(ByteBuffer buf);

    /** One reply of {@code len} bytes from the start of {@code buf}, a direct buffer: 0, or minus the errno. */
    int write(ByteBuffer buf, int len);
}
