package org.corgipile.operators.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Log1p} is StrictMath.log1p bit for bit (NaN payloads aside: every NaN compares equal here), so the running
 * loss of a logistic model is what it was with {@link Math#log1p}.
 */
class Log1pTest {
    private static void assertSameBits(double x) {
        assertEquals(Double.doubleToLongBits(StrictMath.log1p(x)), Double.doubleToLongBits(Log1p.log1p(x)),
                () -> "log1p(" + x + ") = " + Log1p.log1p(x) + ", StrictMath says " + StrictMath.log1p(x));
    }

    @Test
    void edgeCases() {
        double[] xs = {0.0, -0.0, 1.0, -1.0, -1.0 - Math.ulp(1.0), 1e-300, -1e-300, Double.MIN_VALUE,
            -Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
            Double.NaN, 0x1p-29, 0x1p-54, -0x1p-54, 0x1p-20, 0.41421356, 0.4142135623730950, -0.2928932188134524,
            -0.2928932, Math.sqrt(2) - 1, 0x1p53, 0x1p54, 1e17, Math.ulp(1.0), -0.5, 0.5, 2, 3, 1e10};
        for (double x : xs) {
            assertSameBits(x);
            assertSameBits(Math.nextUp(x));
            assertSameBits(Math.nextDown(x));
        }
    }

    @Test
    void randomArguments() {
        SplittableRandom rnd = new SplittableRandom(13);
        for (int i = 0; i < 2_000_000; i++) {
            double x = switch (i % 4) {
                case 0 -> Math.exp(-rnd.nextDouble() * 40); // exp(-|z|) in (0, 1]: what the logistic loss takes
                case 1 -> rnd.nextDouble(-1, 2);
                case 2 -> Double.longBitsToDouble(rnd.nextLong()); // any double, NaNs and infinities included
                default -> Math.scalb(rnd.nextDouble(), rnd.nextInt(-60, 60));
            };
            assertSameBits(x);
        }
    }
}
