package io.jrump.netinet.tcp;

import io.jrump.wire.TcpRepr;
import java.util.ArrayList;
import java.util.List;

/**
 * A segment the test's peer sends, built field by field ({@link TcpTestContext#inject} turns it into an
 * Ethernet frame with real IPv4 and TCP checksums). Fields left alone take the peer's defaults: from
 * the peer's port to the kernel's, window 65535, no options, no data.
 */
final class Seg {
    int sport = TcpTestContext.REMOTE_PORT;
    int dport = TcpTestContext.LOCAL_PORT;
    int seq;
    int ack;
    int flags;
    int window = 65535;
    int mss = TcpRepr.NO_OPTION;
    int wscale = TcpRepr.NO_OPTION;
    boolean sackOk;
    TcpRepr.Timestamps ts;
    final List<TcpRepr.SackBlock> sack = new ArrayList<>();
    byte[] data = new byte[0];

    Seg ports(int from, int to) {
        sport = from;
        dport = to;
        return this;
    }

    Seg seq(int v) {
        seq = v;
        return this;
    }

    Seg ack(int v) {
        ack = v;
        return this;
    }

    Seg flags(int v) {
        flags = v;
        return this;
    }

    Seg window(int v) {
        window = v;
        return this;
    }

    Seg mss(int v) {
        mss = v;
        return this;
    }

    Seg wscale(int v) {
        wscale = v;
        return this;
    }

    Seg sackOk() {
        sackOk = true;
        return this;
    }

    Seg ts(int val, int ecr) {
        ts = new TcpRepr.Timestamps(val, ecr);
        return this;
    }

    Seg noTs() {
        ts = null;
        return this;
    }

    Seg sack(int left, int right) {
        sack.add(new TcpRepr.SackBlock(left, right));
        return this;
    }

    Seg data(byte[] d) {
        data = d;
        return this;
    }

    Seg data(int len) {
        byte[] d = new byte[len];
        for (int i = 0; i < len; i++) {
            d[i] = (byte) ('a' + (seq + i) % 26);
        }
        data = d;
        return this;
    }

    TcpRepr repr() {
        return new TcpRepr(sport, dport, seq, ack, flags, window, 0, mss, wscale, sackOk, ts, sack, data.length);
    }

    @Override
    public String toString() {
        return TcpTestContext.describe(repr());
    }
}
