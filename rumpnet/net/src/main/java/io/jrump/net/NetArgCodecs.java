package io.jrump.net;

import io.jrump.kern.syscall.sp.ArgCodecProvider;
import io.jrump.kern.syscall.sp.ArgCodecs;
import io.jrump.kern.syscall.sp.FieldsCodec;

/**
 * The ioctl argument records of rumpnet_net ({@link IfReq}, {@link RtReq}), registered with every
 * standard sysproxy codec registry that finds this jar on its class path, so that a server linking
 * networking and an interface tool agree on them with no setup.
 */
public final class NetArgCodecs implements ArgCodecProvider {
    @Override
    public void register(ArgCodecs codecs) {
        codecs.register(FieldsCodec.of(IfReq.class, "ifreq"));
        codecs.register(FieldsCodec.of(RtReq.class, "rtreq"));
    }
}
