package io.jrump.netinet.tcp;

/**
 * CUBIC (RFC 9438): after a loss the window follows a cubic function of the time since the loss,
 * W_cubic(t) = C (t - K)^3 + W_max (section 4.2), with the Reno-friendly estimate W_est of section
 * 4.3 as a floor, multiplicative decrease by beta = 0.7 (section 4.6) and fast convergence (section
 * 4.7). Windows are computed in segments as doubles and applied to the byte window.
 */
final class TcpCubic implements TcpCongestion {
    static final double C = 0.4;
    static final double BETA = 0.7;
    /** Section 4.3: alpha_cubic = 3 (1 - beta) / (1 + beta). */
    static final double ALPHA = 3 * (1 - BETA) / (1 + BETA);

    private double wMax;
    private double wLastMax;
    private double k;
    private double wEst;
    private long epochStart = -1;
    private double cwndSegs;

    @Override
    public String name() {
        return "cubic";
    }

    @Override
    public void ack(TcpCb tp, int acked, long nowNanos) {
        int mss = tp.maxseg;
        if (tp.cwnd < tp.ssthresh) {
            tp.cwnd += Math.min(acked, 2 * mss);
            return;
        }
        double cwnd = (double) tp.cwnd / mss;
        if (epochStart < 0) {
            // Section 4.2: a congestion avoidance epoch starts; without a preceding loss W_max is the
            // current window and K is 0.
            epochStart = nowNanos;
            if (wMax < cwnd) {
                wMax = cwnd;
                k = 0;
            }
            wEst = cwnd;
            cwndSegs = cwnd;
        }
        double segsAcked = (double) acked / mss;
        wEst += ALPHA * segsAcked / cwnd;
        double rtt = tp.srttNanos > 0 ? tp.srttNanos / 1e9 : 0.1;
        double t = (nowNanos - epochStart) / 1e9;
        double target = C * Math.pow(t + rtt - k, 3) + wMax;
        // Section 4.2: the target is clamped to [cwnd, 1.5 cwnd].
        target = Math.max(cwnd, Math.min(target, 1.5 * cwnd));
        if (wEst > target) {
            cwndSegs = Math.max(cwndSegs, wEst);
        } else {
            cwndSegs += (target - cwnd) / cwnd * segsAcked;
        }
        long bytes = (long) (cwndSegs * mss);
        tp.cwnd = (int) Math.min(Math.max(bytes, tp.cwnd), Integer.MAX_VALUE / 2);
    }

    @Override
    public void congestion(TcpCb tp, long nowNanos) {
        reduce(tp);
        tp.cwnd = tp.ssthresh;
    }

    private void reduce(TcpCb tp) {
        int mss = tp.maxseg;
        double cwnd = (double) tp.cwnd / mss;
        // Section 4.7, fast convergence: give up bandwidth to newer flows when the window shrinks.
        if (cwnd < wLastMax) {
            wLastMax = cwnd;
            wMax = cwnd * (1 + BETA) / 2;
        } else {
            wLastMax = cwnd;
            wMax = cwnd;
        }
        k = Math.cbrt(wMax * (1 - BETA) / C);
        epochStart = -1;
        tp.ssthresh = Math.max((int) (cwnd * BETA * mss), 2 * mss);
    }

    @Override
    public void timeout(TcpCb tp, long nowNanos) {
        reduce(tp);
        tp.cwnd = tp.maxseg;
    }
}
