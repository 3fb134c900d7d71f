package io.jrump.kern.syscall.sp;

/**
 * A {@link java.util.ServiceLoader} service by which a jar adds codecs for its argument classes to every
 * {@link ArgCodecs#standard()} registry, on the server and on the client alike, without the protocol
 * knowing the jar.
 */
public interface ArgCodecProvider {
    void register(ArgCodecs codecs);
}
