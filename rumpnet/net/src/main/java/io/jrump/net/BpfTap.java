package io.jrump.net;

import io.jrump.rumpnet.mbuf.Mbuf;

/**
 * A packet capture point on an interface ({@code bpf_mtap}): sees every frame the interface receives
 * or sends, link header included, before any protocol code. It must not keep or change the chain.
 */
@FunctionalInterface
public interface BpfTap {
    void tap(Ifnet ifp, Mbuf m, boolean outbound);
}
