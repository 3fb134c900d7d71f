package io.jrump.afpa;

import io.jrump.kern.BootException;
import io.jrump.kern.Component;
import io.jrump.kern.ComponentLevel;
import io.jrump.kern.Kernel;
import io.jrump.netinet.Inet;
import java.util.Set;

/**
 * {@code rumpnet_afpa}: the Adaptive Fast Path Architecture HTTP accelerator, run as a kernel component
 * inside the TCP/IP stack (the AFPA seeds, {@code ../shared/seeds/000_*} for the Linux integration and
 * {@code 001_*} for Windows 2000). It serves cached documents read through rumpvfs from the network
 * softint and hands what it does not serve to a user-level server on the same port. It is loadable and
 * unloadable at run time ({@code rump.modload rumpnet_afpa}): unloading stops taking connections,
 * lets responses under way finish, releases held connections to the user-level server, and removes
 * {@code net.afpa}.
 */
public final class AfpaComponent implements Component {
    /** Where the counters are published, beside netinet's {@code net.inet.*.stats}. */
    public static final String STATS = AfpaConfig.ROOT + ".stats";

    @Override
    public String name() {
        return "rumpnet_afpa";
    }

    @Override
    public ComponentLevel level() {
        return ComponentLevel.NET;
    }

    @Override
    public Set<String> requires() {
        return Set.of("rumpnet_netinet", "rumpvfs");
    }

    @Override
    public String description() {
        return "AFPA in-kernel HTTP accelerator";
    }

    @Override
    public boolean unloadable() {
        return true;
    }

    @Override
    public void attach(Kernel k) throws BootException {
        if (k.service(Inet.class) == null) {
            throw new BootException("rumpnet_afpa: rumpnet_netinet did not attach");
        }
        if (k.service(Afpa.class) != null) {
            throw new BootException("rumpnet_afpa: already attached");
        }
        AfpaConfig config;
        try {
            config = new AfpaConfig(k.sysctl());
        } catch (IllegalArgumentException e) {
            throw new BootException("rumpnet_afpa: " + e.getMessage());
        }
        Afpa afpa = new Afpa(k, config, new FrontEnds());
        afpa.stats().publish(k.sysctl(), STATS);
        k.registerService(Afpa.class, afpa);
        // before netinet's own halt hook (hooks run in reverse), so held sockets go while TCP still runs
        k.onHalt(afpa::stop);
        afpa.start();
    }

    @Override
    public void detach(Kernel k) {
        Afpa afpa = k.service(Afpa.class);
        if (afpa != null) {
            afpa.stop();
            k.unregisterService(Afpa.class);
        }
        AfpaConfig.destroy(k.sysctl());
    }
}
