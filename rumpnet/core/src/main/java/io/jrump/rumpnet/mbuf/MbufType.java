package io.jrump.rumpnet.mbuf;

/**
 * What an mbuf carries ({@code m_type} in mbuf(9)). The type only serves accounting: {@code netstat -m}
 * reports mbufs in use per type, which tells a leak of socket addresses from a leak of packet data.
 */
public enum MbufType {
    DATA("data"),
    HEADER("packet headers"),
    SONAME("socket names and addresses"),
    SOOPTS("socket options"),
    FTABLE("fragment reassembly queue headers"),
    CONTROL("control"),
    OOBDATA("out-of-band data");

    private final String description;

    MbufType(String description) {
        this.description = description;
    }

    /** The words {@code netstat -m} prints after "mbufs allocated to". */
    public String description() {
        return description;
    }
}
