package io.jrump.kern.sched;

/**
 * A span of protocol processing that an lwp does for a process ({@link Scheduler#chargeProto}): from
 * {@code chargeProto(p)} to {@link #close}, the lwp's CPU time is charged to {@code p} as protocol time
 * ({@link Proc#protoNanos}) and the lwp competes for a CPU at {@code p}'s priority. This is how LRP makes
 * receive processing "scheduled at the priority of the application process that uses the associated socket,
 * and CPU usage is charged back to that application" (seed 003, "TCP protocol processing"), whether the lwp
 * is the receiver's own (UDP input in {@code recv}) or a kernel thread serving many sockets.
 *
 * <p>Only time holding a virtual CPU is charged: a span opened on a thread whose lwp holds none (a driver's
 * receive thread, which is an interrupt) charges nothing until the lwp takes one.
 *
 * <p>Each lwp has one of these, reused, so a span allocates nothing; spans nest (up to {@value #DEPTH}
 * deep), each {@code close} restoring what the one before had. Use it with try-with-resources on the thread
 * that opened it:
 * <pre>{@code
 * try (ProtoCharge c = kernel.scheduler().chargeProto(socketOwner)) {
 *     ipInput(m);   // charged to socketOwner as protocol time
 * }
 * }</pre>
 */
public final class ProtoCharge implements AutoCloseable {
    /** How deep spans nest on one lwp. */
    public static final int DEPTH = 8;
    private final Lwp lwp;
    private final Proc[] savedFor = new Proc[DEPTH];
    private final int[] savedKind = new int[DEPTH];
    private int depth;

    ProtoCharge(Lwp lwp) {
        this.lwp = lwp;
    }

    ProtoCharge begin(Proc p, long now) {
        if (depth == DEPTH) {
            throw new IllegalStateException("protocol charge spans nest deeper than " + DEPTH + " on " + lwp);
        }
        if (lwp.cpu() != null) {
            lwp.account(now);
        }
        savedFor[depth] = lwp.worksFor;
        savedKind[depth] = lwp.chargeKind;
        depth++;
        lwp.worksFor = p == lwp.proc() ? null : p;
        lwp.chargeKind = Proc.PROTO;
        return this;
    }

    /** Ends the span: the time since it began (or since the lwp last took a CPU) is charged to its process. */
    @Override
    public void close() {
        if (depth == 0) {
            throw new IllegalStateException("protocol charge closed twice on " + lwp);
        }
        Scheduler s = lwp.proc().kernel().scheduler();
        if (lwp.cpu() != null) {
            lwp.account(s.cpuClock());
        }
        depth--;
        lwp.worksFor = savedFor[depth];
        lwp.chargeKind = savedKind[depth];
        savedFor[depth] = null;
    }
}
