package org.corgipile.operators;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link TupleBuffer#permuteDense} after {@link FisherYates#permute(int[], int, SplittableRandom)} gives exactly
 * the row order of the in-place Fisher–Yates over rows that TupleShuffle used before (so seeded models stay bit for
 * bit the same), labels and identities moving with their rows.
 */
class PermuteDenseTest {
    private static TupleBuffer rows(int n, int d) {
        TupleBuffer b = new TupleBuffer(FeatureShape.dense(d), 4);
        double[] x = new double[d];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < d; k++) {
                x[k] = i * 1000 + k;
            }
            b.addDense(i % 7, TupleBuffer.tid(i / 10, i % 10 + 1), x, 0);
        }
        return b;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 17, 1000, 4099})
    void sameOrderAsSwappingRows(int n) {
        int d = 5;
        for (long seed = 1; seed <= 5; seed++) {
            TupleBuffer swapped = rows(n, d);
            SplittableRandom a = new SplittableRandom(seed);
            double[] scratch = new double[d];
            for (int i = n - 1; i > 0; i--) {
                int j = a.nextInt(i + 1);
                if (i != j) {
                    swapped.swapDense(i, j, scratch);
                }
            }
            TupleBuffer permuted = rows(n, d);
            int[] order = new int[n + 3];   // larger than needed, as TupleShuffle reuses it
            SplittableRandom b = new SplittableRandom(seed);
            FisherYates.permute(order, n, b);
            permuted.permuteDense(order, scratch);

            assertEquals(a.nextLong(), b.nextLong(), "both consume the random stream identically");
            for (int i = 0; i < n; i++) {
                assertEquals(swapped.label(i), permuted.label(i));
                assertEquals(swapped.id(i), permuted.id(i));
            }
            assertArrayEquals(Arrays.copyOf(swapped.dense(), n * d),
                    Arrays.copyOf(permuted.dense(), n * d));
            if (n >= 17) {
                boolean identity = true;
                for (int i = 0; i < n; i++) {
                    identity &= permuted.id(i) == TupleBuffer.tid(i / 10, i % 10 + 1);
                }
                assertFalse(identity, "the rows were actually reordered");
            }
        }
    }
}
