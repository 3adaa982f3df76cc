package org.corgipile.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * Issue 13 (warm epoch's fixed costs): the epoch's NOTICE was built with {@code String.format}, which runs
 * interpreted once per epoch on the reading thread (~0.2 ms of every epoch, traced). It is now concatenated, the
 * decimals rounded by BigDecimal: the text must stay exactly what the formatter wrote.
 */
class EpochNoticeTest {
    private static String formatted(EpochStats s, int epochs) {
        return String.format(Locale.ROOT, "epoch %d/%d: loss %s%s, %.3f s, %d tuples", s.epoch(), epochs,
                Double.isNaN(s.loss()) ? "n/a" : String.format(Locale.ROOT, "%.6f", s.loss()),
                Double.isNaN(s.accuracy()) ? "" : String.format(Locale.ROOT, ", accuracy %.6f", s.accuracy()),
                s.seconds(), s.tuples());
    }

    private static EpochStats stats(int epoch, double loss, double accuracy, double seconds, long tuples) {
        return new EpochStats(epoch, loss, accuracy, Double.NaN, Double.NaN, 0.01, seconds, tuples, Map.of());
    }

    @Test
    void theTextIsTheFormattersToTheLastDigit() {
        double[] special = {0, -0.0, 0.0005, 0.0015, 0.9999995, 0.4999995, 1e-7, 5e-7, 12345.6785, 1e20,
            Double.NaN, Double.POSITIVE_INFINITY, -1.5, Double.MIN_VALUE};
        for (double v : special) {
            EpochStats s = stats(3, v, v, Double.isNaN(v) ? 0 : Math.abs(v), 200_000);
            assertEquals(formatted(s, 10), EpochNotice.text(s, 10));
        }
        SplittableRandom r = new SplittableRandom(13);
        for (int i = 0; i < 40_000; i++) {
            double loss = i % 3 == 0 ? r.nextDouble() * 2 : (r.nextInt(2_000_000) + 0.5) / Math.pow(10, r.nextInt(9));
            double accuracy = i % 5 == 0 ? Double.NaN : r.nextInt(100_001) / 100_000.0;
            double seconds = i % 2 == 0 ? r.nextDouble() * 3 : (r.nextInt(20_000) + 0.5) / 10_000.0;
            EpochStats s = stats(1 + r.nextInt(100), loss, accuracy, seconds, r.nextLong(1L << 40));
            assertEquals(formatted(s, 100), EpochNotice.text(s, 100));
        }
    }
}
