package io.jrump.kern.sysctl;

import java.nio.ByteBuffer;

/**
 * One fixed-size record of a {@link SysctlType#STRUCT} table, as NetBSD's {@code kinfo_*} structures
 * are: the producer fills one mutable record per entry and hands it to {@link SysctlRecords#add}, which
 * copies it out, so listing a table of any size makes no record object per entry. Records are big-endian, as
 * the sysproxy protocol is, so that a remote reader decodes the same bytes a local one does.
 */
public interface SysctlRecord {
    /** Bytes of the record as this kernel writes it; a reader may ask for fewer or more (see {@link Sysctl#get}). */
    int size();

    /** Writes the record's {@link #size()} bytes at absolute offset {@code at} of {@code b}. */
    void write(ByteBuffer b, int at);

    /** The record as one line of a text read of its table (no newline), for people and for diagnostics. */
    void text(StringBuilder sb);
}
