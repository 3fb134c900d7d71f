package io.jrump.bench;

final class LrpSeparation {
    record Result(double p99RatioLazy, double p99RatioEager) {
        void print() {
        }
    }

    static Result run(double seconds) {
        return new Result(Double.NaN, Double.NaN);
    }
}
