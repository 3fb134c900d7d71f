package io.jrump.netinet;

import io.jrump.kern.syscall.sp.ArgCodecProvider;
import io.jrump.kern.syscall.sp.ArgCodecs;
import io.jrump.kern.syscall.sp.FieldsCodec;
import io.jrump.netinet.arp.ArpReq;

/** The ioctl argument record of rumpnet_netinet ({@link ArpReq}) for the sysproxy codec; see {@code NetArgCodecs}. */
public final class NetinetArgCodecs implements ArgCodecProvider {
    @Override
    public void register(ArgCodecs codecs) {
        codecs.register(FieldsCodec.of(ArpReq.class, "arpreq"));
    }
}
