package io.jrump.virtif;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.primitives.Longs;
import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * The value notation of {@link LinkEmulatorConfig}'s compact string: durations with a unit
 * ({@code 5ms}), rates in tc's bit units ({@code 100mbit}), percentages ({@code 0.1%}) and plain
 * integers. Parsing goes through {@link BigDecimal} so that what {@link #formatPercent} prints parses
 * back to the very same double, which makes the config's {@code toString} round-trip.
 */
final class ConfigSyntax {
    private static final String[] TIME_UNITS = {"s", "ms", "us", "ns"};
    private static final long[] TIME_SCALE = {1_000_000_000L, 1_000_000L, 1_000L, 1L};
    private static final String[] RATE_UNITS = {"tbit", "gbit", "mbit", "kbit", "bit"};
    private static final long[] RATE_SCALE = {1_000_000_000_000L, 1_000_000_000L, 1_000_000L, 1_000L, 1L};
    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

    private ConfigSyntax() {
    }

    static long parseDuration(String key, String text) {
        return scaled(key, text, TIME_UNITS, TIME_SCALE, "a duration like 5ms (units s, ms, us, ns)");
    }

    static long parseRate(String key, String text) {
        return scaled(key, text, RATE_UNITS, RATE_SCALE, "a rate like 100mbit (units tbit, gbit, mbit, kbit, bit)");
    }

    static double parsePercent(String key, String text) {
        String what = "a percentage like 5% or 0.1%";
        if (!text.endsWith("%")) {
            throw bad(key, text, what);
        }
        BigDecimal v = decimal(key, text.substring(0, text.length() - 1), text, what);
        if (v.compareTo(BigDecimal.ZERO) < 0 || v.compareTo(HUNDRED) > 0) {
            throw new IllegalArgumentException(key + "=" + text + ": a percentage must be between 0% and 100%");
        }
        return v.movePointLeft(2).doubleValue();
    }

    static long parseInteger(String key, String text, long min, long max) {
        Long v = Longs.tryParse(text);
        if (v == null) {
            throw bad(key, text, "an integer");
        }
        checkArgument(v >= min && v <= max, "%s=%s: must be between %s and %s", key, text, min, max);
        return v;
    }

    static String formatDuration(long nanos) {
        return formatScaled(nanos, TIME_UNITS, TIME_SCALE);
    }

    static String formatRate(long bitsPerSecond) {
        return formatScaled(bitsPerSecond, RATE_UNITS, RATE_SCALE);
    }

    static String formatPercent(double p) {
        return BigDecimal.valueOf(p).movePointRight(2).stripTrailingZeros().toPlainString() + "%";
    }

    private static String formatScaled(long v, String[] units, long[] scale) {
        for (int i = 0; i < units.length; i++) {
            if (v % scale[i] == 0 && (v != 0 || i == units.length - 1)) {
                return (v / scale[i]) + units[i];
            }
        }
        throw new AssertionError(v);
    }

    /** A non-negative decimal with one of {@code units}, times that unit's scale, exactly. */
    private static long scaled(String key, String text, String[] units, long[] scale, String what) {
        for (int i = 0; i < units.length; i++) {
            if (text.endsWith(units[i])) {
                String number = text.substring(0, text.length() - units[i].length());
                if (!number.isEmpty() && Character.isLetter(number.charAt(number.length() - 1))) {
                    continue;
                }
                BigDecimal v = decimal(key, number, text, what).multiply(BigDecimal.valueOf(scale[i]));
                if (v.signum() < 0) {
                    throw new IllegalArgumentException(key + "=" + text + ": must not be negative");
                }
                try {
                    BigInteger exact = v.toBigIntegerExact();
                    return exact.longValueExact();
                } catch (ArithmeticException e) {
                    throw new IllegalArgumentException(key + "=" + text + ": not a whole number of "
                            + units[units.length - 1] + " or too large");
                }
            }
        }
        throw bad(key, text, what);
    }

    private static BigDecimal decimal(String key, String number, String text, String what) {
        if (number.isEmpty() || number.charAt(0) == '+' || number.indexOf('e') >= 0 || number.indexOf('E') >= 0) {
            throw bad(key, text, what);
        }
        try {
            return new BigDecimal(number);
        } catch (NumberFormatException e) {
            throw bad(key, text, what);
        }
    }

    private static IllegalArgumentException bad(String key, String text, String what) {
        return new IllegalArgumentException(key + ": expected " + what + ", got \"" + text + "\"");
    }
}
