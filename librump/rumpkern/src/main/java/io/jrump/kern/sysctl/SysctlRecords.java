package io.jrump.kern.sysctl;

import java.nio.ByteBuffer;

/**
 * Where a {@link SysctlType#STRUCT} table's producer puts its records, one call of {@link #add} per
 * entry. The same producer serves the three ways a table is read: counted, for a {@code sysctl(3)}
 * call with no buffer that asks how much room the table needs; copied into the caller's buffer, each
 * record in an element of the caller's size (NetBSD's {@code elem_size}: a shorter element takes the
 * record's first bytes, a longer one is zero-filled, so that a reader built against an older or newer
 * record still walks the array); or printed as text, one line per record. Copying goes on counting
 * after the buffer is full, so the caller learns what the table needed.
 */
public final class SysctlRecords {
    private final int elemSize;
    private final ByteBuffer out;
    private final StringBuilder text;
    private final int start;
    private ByteBuffer scratch;
    private long count;

    private SysctlRecords(int elemSize, ByteBuffer out, StringBuilder text) {
        this.elemSize = elemSize;
        this.out = out;
        this.text = text;
        this.start = out == null ? 0 : out.position();
    }

    /** Counts records only. */
    static SysctlRecords counting(int elemSize) {
        return new SysctlRecords(elemSize, null, null);
    }

    /** Copies records into {@code out} from its position, whole elements of {@code elemSize} bytes only. */
    static SysctlRecords into(int elemSize, ByteBuffer out) {
        return new SysctlRecords(elemSize, out, null);
    }

    /** Prints records as lines. */
    static SysctlRecords text(StringBuilder sb) {
        return new SysctlRecords(0, null, sb);
    }

    /** Adds one record, as the table's next entry. */
    public void add(SysctlRecord r) {
        count++;
        if (text != null) {
            r.text(text);
            text.append('\n');
            return;
        }
        if (out == null || out.remaining() < elemSize) {
            return;
        }
        int at = out.position();
        int size = r.size();
        if (size <= elemSize) {
            r.write(out, at);
            for (int k = at + size; k < at + elemSize; k++) {
                out.put(k, (byte) 0);
            }
        } else {
            if (scratch == null || scratch.capacity() < size) {
                scratch = ByteBuffer.allocate(size);
            }
            r.write(scratch, 0);
            out.put(at, scratch, 0, elemSize);
        }
        out.position(at + elemSize);
    }

    /** Records added so far. */
    public long count() {
        return count;
    }

    /** Bytes the records added so far take as elements of the caller's size. */
    long needed() {
        return count * elemSize;
    }

    /** Bytes copied into the caller's buffer. */
    int written() {
        return out == null ? 0 : out.position() - start;
    }
}
