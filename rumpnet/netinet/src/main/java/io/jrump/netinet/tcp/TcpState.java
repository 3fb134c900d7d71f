package io.jrump.netinet.tcp;

/**
 * The connection states of RFC 9293 section 3.3.2, numbered as NetBSD's {@code tcp_fsm.h} so that
 * listings read the same. States from {@link #ESTABLISHED} on are "synchronized" (section 3.5.3);
 * from {@link #CLOSE_WAIT} on, the user has no more data to receive or send is closing. Public for
 * the state names, which {@code netstat} prints from a pcb record's number (NetBSD's
 * {@code tcpstates[]}).
 */
public final class TcpState {
    static final int CLOSED = 0;
    static final int LISTEN = 1;
    static final int SYN_SENT = 2;
    static final int SYN_RECEIVED = 3;
    static final int ESTABLISHED = 4;
    static final int CLOSE_WAIT = 5;
    static final int FIN_WAIT_1 = 6;
    static final int CLOSING = 7;
    static final int LAST_ACK = 8;
    static final int FIN_WAIT_2 = 9;
    static final int TIME_WAIT = 10;

    private static final String[] NAMES = {"CLOSED", "LISTEN", "SYN_SENT", "SYN_RCVD", "ESTABLISHED",
        "CLOSE_WAIT", "FIN_WAIT_1", "CLOSING", "LAST_ACK", "FIN_WAIT_2", "TIME_WAIT"};

    private TcpState() {
    }

    public static String name(int s) {
        return s >= 0 && s < NAMES.length ? NAMES[s] : "?" + s;
    }

    /** Both SYNs seen (RFC 9293 section 3.5.3 "synchronized"). */
    static boolean synchronized_(int s) {
        return s >= ESTABLISHED;
    }

    /** Whether we have not yet sent our FIN: data may still be sent. */
    static boolean canSend(int s) {
        return s == ESTABLISHED || s == CLOSE_WAIT;
    }

    /** Whether the peer has not sent its FIN: data may still arrive. */
    static boolean canReceive(int s) {
        return s == ESTABLISHED || s == FIN_WAIT_1 || s == FIN_WAIT_2 || s == SYN_RECEIVED;
    }
}
