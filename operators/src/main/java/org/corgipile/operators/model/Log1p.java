package org.corgipile.operators.model;

/**
 * {@code log(1 + x)}, bit for bit {@link StrictMath#log1p}: fdlibm's {@code s_log1p.c} (the algorithm StrictMath
 * is specified to follow), written in Java. On JDK 17 {@link Math#log1p} is a JNI call into the JDK's C fdlibm, with
 * no JIT intrinsic: in per-tuple logistic SGD (d = 18) that call was a quarter of the step's time, for a value that
 * only feeds the running loss. A Java version is inlined and scheduled with the rest of the step. Checked against
 * StrictMath on tens of millions of arguments ({@code Log1pTest}); JDK 21 ports the same code to Java itself.
 *
 * <p>Method: reduce 1 + x to {@code 2^k (1 + f)} with {@code sqrt(2)/2 < 1 + f < sqrt(2)} (keeping the rounding error
 * of 1 + x as a correction c), then {@code log(1 + f) = f - (hfsq - s (hfsq + R(z)))} with {@code s = f / (2 + f)},
 * {@code z = s^2}, {@code hfsq = f^2 / 2} and R a degree-7 minimax polynomial in z.
 */
final class Log1p {
    private static final double LN2_HI = 6.93147180369123816490e-01;
    private static final double LN2_LO = 1.90821492927058770002e-10;
    private static final double TWO54 = 1.80143985094819840000e+16;
    private static final double LP1 = 6.666666666666735130e-01;
    private static final double LP2 = 3.999999999940941908e-01;
    private static final double LP3 = 2.857142874366239149e-01;
    private static final double LP4 = 2.222219843214978396e-01;
    private static final double LP5 = 1.818357216161805012e-01;
    private static final double LP6 = 1.531383769920937332e-01;
    private static final double LP7 = 1.479819860511658591e-01;

    private Log1p() {
    }

    static double log1p(double x) {
        int hx = (int) (Double.doubleToRawLongBits(x) >>> 32);
        if (hx >= 0x3e200000 && hx < 0x3FDA827A) {
            // 2^-29 <= x < 0.41422, no argument reduction: the common case of the logistic loss (x = exp(-|m|)),
            // kept small so that the JIT inlines it into the training loop; the same operations as below with k = 0
            double hfsq = 0.5 * x * x;
            double s = x / (2.0 + x);
            double z = s * s;
            double r = z * (LP1 + z * (LP2 + z * (LP3 + z * (LP4 + z * (LP5 + z * (LP6 + z * LP7))))));
            return x - (hfsq - s * (hfsq + r));
        }
        return reduced(x, hx);
    }

    /** Every other argument: tiny, negative, at least 0.41422, or not finite. */
    private static double reduced(double x, int hx) {
        int ax = hx & 0x7fffffff;
        int k = 1;
        double f = 0;
        int hu = 0;
        double c = 0;
        if (hx < 0x3FDA827A) { // x < 0.41422 (or negative)
            if (ax >= 0x3ff00000) {
                if (x == -1.0) {
                    return Double.NEGATIVE_INFINITY;
                }
                return Double.NaN;
            }
            if (ax < 0x3e200000) { // |x| < 2^-29
                if (TWO54 + x > 0 && ax < 0x3c900000) {
                    return x;
                }
                return x - x * x * 0.5;
            }
            if (hx > 0 || hx <= (int) 0xbfd2bec3) { // -0.2929 < x < 0.41422: f = x, no reduction
                k = 0;
                f = x;
                hu = 1;
            }
        }
        if (hx >= 0x7ff00000) { // Inf or NaN
            return x + x;
        }
        if (k != 0) {
            double u;
            if (hx < 0x43400000) {
                u = 1.0 + x;
                hu = (int) (Double.doubleToRawLongBits(u) >>> 32);
                k = (hu >> 20) - 1023;
                c = k > 0 ? 1.0 - (u - x) : x - (u - 1.0);
                c /= u; // the rounding error of 1 + x, relative
            } else {
                u = x;
                hu = (int) (Double.doubleToRawLongBits(u) >>> 32);
                k = (hu >> 20) - 1023;
                c = 0;
            }
            hu &= 0x000fffff;
            if (hu < 0x6a09e) {
                u = withHigh(u, hu | 0x3ff00000);
            } else {
                k += 1;
                u = withHigh(u, hu | 0x3fe00000);
                hu = (0x00100000 - hu) >> 2;
            }
            f = u - 1.0;
        }
        double hfsq = 0.5 * f * f;
        if (hu == 0) { // |f| < 2^-20
            if (f == 0) {
                if (k == 0) {
                    return 0;
                }
                c += k * LN2_LO;
                return k * LN2_HI + c;
            }
            double r = hfsq * (1.0 - 0.66666666666666666 * f);
            if (k == 0) {
                return f - r;
            }
            return k * LN2_HI - ((r - (k * LN2_LO + c)) - f);
        }
        double s = f / (2.0 + f);
        double z = s * s;
        double r = z * (LP1 + z * (LP2 + z * (LP3 + z * (LP4 + z * (LP5 + z * (LP6 + z * LP7))))));
        if (k == 0) {
            return f - (hfsq - s * (hfsq + r));
        }
        return k * LN2_HI - ((hfsq - (s * (hfsq + r) + (k * LN2_LO + c))) - f);
    }

    private static double withHigh(double d, int high) {
        return Double.longBitsToDouble((Double.doubleToRawLongBits(d) & 0xffffffffL) | ((long) high << 32));
    }
}
