package io.jrump.bench;

final class LrpSynFlood {
    record Result(double connRatio) {
        void print() {
        }
    }

    static Result run(double seconds) {
        return new Result(Double.NaN);
    }
}
