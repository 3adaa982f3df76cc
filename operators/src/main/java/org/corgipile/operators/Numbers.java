package org.corgipile.operators;

import java.math.BigDecimal;

/**
 * How a number appears in the texts users read (errors, NOTICEs, hints) of every mode: the one formatter of such
 * numbers. The double's shortest digits ({@link Double#toString}'s), without a trailing {@code .0}, in plain notation
 * while that stays short: 2, not 2.0; 0.0001, not 1.0E-4; a bigint label 9223372036854775807, read as the double
 * 2^63, as 9223372036854776000 (every integer below 10^19, so every bigint, has no exponent); in scientific notation
 * outside [10^-6, 10^19): 1E+20, 1.5E-7, 1E+300 (never 301 digits). NaN, Infinity and -Infinity as Java spells them.
 * Not for fixed-precision measurements (an epoch's loss, seconds: {@link EpochNotice}).
 */
public final class Numbers {

    private static final double PLAIN_BELOW = 1e19;

    private Numbers() {
    }

    /** {@code v} as texts print it (see the class comment). */
    public static String text(double v) {
        if (!Double.isFinite(v)) {
            return Double.toString(v);
        }
        BigDecimal d = BigDecimal.valueOf(v).stripTrailingZeros();
        // toString is plain for |v| in [1e-6, 1) and scientific below; whole numbers need toPlainString up to 1e19
        return Math.abs(v) >= 1 && Math.abs(v) < PLAIN_BELOW ? d.toPlainString() : d.toString();
    }
}
