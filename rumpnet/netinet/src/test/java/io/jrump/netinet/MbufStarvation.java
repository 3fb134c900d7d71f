package io.jrump.netinet;

import io.jrump.kern.intr.Softint;
import io.jrump.kern.mem.Pool;
import io.jrump.rumpnet.mbuf.Mbuf;
import io.jrump.rumpnet.mbuf.MbufPool;
import java.util.ArrayList;
import java.util.List;

/**
 * Leaves a test kernel without small mbufs ({@code mbpl}, what every protocol header is built in) until
 * closed, as a kernel at its memory limit is: the pool may make no more ({@code pool_sethardlimit} to
 * 0), and a softint on the kernel's CPU takes every idle one, from that CPU's cache as well as from the
 * depot. Clusters stay available, so a write can still queue data that no segment can carry.
 */
public final class MbufStarvation implements AutoCloseable {
    private final NetTestContext c;
    private final Pool<?> pool;
    private final int hardLimit;
    private final List<Mbuf> held = new ArrayList<>();
    private final Softint give;
    private boolean closed;

    public MbufStarvation(NetTestContext c) {
        this.c = c;
        this.pool = c.kernel.pools().stream().filter(p -> p.name().equals("mbpl")).findFirst()
                .orElseThrow(() -> new AssertionError("no mbpl pool"));
        this.hardLimit = pool.hardLimit();
        MbufPool mbufs = c.inet.mbufs();
        pool.setHardLimit(0);
        Softint take = c.kernel.softints().establish("test mbuf starvation", Softint.NET, () -> {
            for (Mbuf m = mbufs.get(); m != null; m = mbufs.get()) {
                held.add(m);
            }
        });
        this.give = c.kernel.softints().establish("test mbuf starvation end", Softint.NET, () -> {
            held.forEach(mbufs::free);
            held.clear();
        });
        c.kernel.softints().schedule(take);
        c.settle();
        c.kernel.softints().disestablish(take);
    }

    /** Memory returns: the pool's limit is restored and the mbufs taken are freed. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        pool.setHardLimit(hardLimit);
        c.kernel.softints().schedule(give);
        c.settle();
        c.kernel.softints().disestablish(give);
    }
}
