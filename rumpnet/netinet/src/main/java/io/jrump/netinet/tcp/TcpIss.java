package io.jrump.netinet.tcp;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;

/**
 * Initial sequence numbers per RFC 6528 section 3: ISN = M + F(localip, localport, remoteip,
 * remoteport, secretkey), where M is a timer ticking every 4 microseconds and F a keyed hash. F is
 * SipHash-2-4 (Guava's {@link Hashing#sipHash24}) under a 128-bit key drawn from the host's random
 * source at boot, so an off-path attacker can neither predict our numbers nor learn one connection's
 * from another's, while successive incarnations of one four-tuple still move forward with the clock
 * (the property TIME_WAIT reuse and RFC 6191 rely on). It runs once per connection, not per segment,
 * so the hasher Guava allocates for each costs nothing that matters.
 */
final class TcpIss {
    private final HashFunction sipHash;

    TcpIss(long k0, long k1) {
        this.sipHash = Hashing.sipHash24(k0, k1);
    }

    int next(int laddr, int lport, int faddr, int fport, long nowNanos) {
        long m = nowNanos / 4000;
        long a = (long) laddr << 32 | (faddr & 0xffffffffL);
        long b = (long) lport << 16 | fport;
        return (int) (m + f(a, b));
    }

    /**
     * The offset added to the timestamp clock for one four-tuple (RFC 7323 section 5.4): the other half of
     * the same keyed hash, so that it is as unpredictable as the sequence numbers yet the same for every
     * incarnation of the four-tuple. A new connection's TSval is then above the last one its predecessor
     * sent, which is what lets a SYN recycle the peer's TIME_WAIT by timestamp (RFC 6191 section 2); a
     * random offset per connection made that SYN look older about half the time, and the peer answered
     * it with an ACK until its TIME_WAIT ran out.
     */
    int tsOffset(int laddr, int lport, int faddr, int fport) {
        long a = (long) laddr << 32 | (faddr & 0xffffffffL);
        long b = (long) lport << 16 | fport;
        return (int) (f(a, b) >>> 32);
    }

    /** RFC 6528's F over the four-tuple packed in two words: SipHash-2-4 of their sixteen bytes, little-endian. */
    long f(long a, long b) {
        return sipHash.newHasher(16).putLong(a).putLong(b).hash().asLong();
    }
}
