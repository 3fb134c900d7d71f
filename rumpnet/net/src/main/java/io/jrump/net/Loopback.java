package io.jrump.net;

import io.jrump.rumpnet.mbuf.Mbuf;

/**
 * {@code lo0} ({@code if_loop.c}): every frame sent comes back as input. It carries an Ethernet
 * header with zero addresses, so that one link input path serves all interfaces and a capture of
 * lo0 reads like any other.
 */
final class Loopback implements IfnetDriver {
    static final int LOMTU = 33184;

    @Override
    public void transmit(Ifnet ifp, Mbuf m) {
        m.setFlags(io.jrump.rumpnet.mbuf.MbufFlags.M_LOOP);
        ifp.inputLooped(m);
    }

    @Override
    public void stop(Ifnet ifp) {
    }
}
