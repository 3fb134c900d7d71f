package io.jrump.hypercall;

import java.security.SecureRandom;

/** The host's entropy source, for sequence numbers and ports that an attacker must not guess (RFC 6528, RFC 6056). */
final class HostRandom implements HyperRandom {
    private final SecureRandom random = new SecureRandom();

    @Override
    public void fill(byte[] buffer, int offset, int length) {
        if (offset == 0 && length == buffer.length) {
            random.nextBytes(buffer);
            return;
        }
        byte[] tmp = new byte[length];
        random.nextBytes(tmp);
        System.arraycopy(tmp, 0, buffer, offset, length);
    }

    @Override
    public long nextLong() {
        return random.nextLong();
    }
}
