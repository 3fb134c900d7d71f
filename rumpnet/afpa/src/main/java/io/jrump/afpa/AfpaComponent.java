package io.jrump.afpa;

import io.jrump.kern.BootException;
import io.jrump.kern.Component;
import io.jrump.kern.ComponentLevel;
import io.jrump.kern.Kernel;
import java.util.Set;

/**
 * {@code rumpnet_afpa}: the Adaptive Fast Path Architecture HTTP accelerator, run as a kernel component
 * inside the TCP/IP stack (the AFPA seeds, {@code ../shared/seeds/000_*} for the Linux integration and
 * {@code 001_*} for Windows 2000). It serves cached documents read through rumpvfs from the network
 * softint and hands what it does not serve to a user-level server on the same port. It is loadable and
 * unloadable at run time ({@code rump.modload rumpnet_afpa}).
 */
public final class AfpaComponent implements Component {
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
    }
}
