package org.corgipile.operators;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link FisherYates#permuteRuns}: runs of consecutive indices in a random order, every index once. */
class FisherYatesRunsTest {
    @Test
    void everyIndexOnceInAscendingRunsOfTheGivenLength() {
        int n = 1003;
        int run = 8;
        int[] a = new int[n + 5];
        FisherYates.permuteRuns(a, n, run, new SplittableRandom(7));
        boolean[] seen = new boolean[n];
        Set<Integer> runStarts = new HashSet<>();
        for (int k = 0; k < n; ) {
            int first = a[k];
            assertEquals(0, first % run, "a run starts at a multiple of the run length");
            int len = Math.min(run, n - first);
            for (int i = 0; i < len; i++) {
                assertEquals(first + i, a[k + i], "a run keeps its rows in storage order");
                assertTrue(!seen[first + i], "index " + (first + i) + " twice");
                seen[first + i] = true;
            }
            runStarts.add(first);
            k += len;
        }
        assertEquals((n + run - 1) / run, runStarts.size());
        int[] identity = new int[n];
        FisherYates.identity(identity);
        assertNotEquals(java.util.Arrays.toString(identity),
                java.util.Arrays.toString(java.util.Arrays.copyOf(a, n)), "the runs are shuffled");
    }

    @Test
    void runsOfOneAreThePlainPermutationOfTheSameStream() {
        int[] a = new int[500];
        int[] b = new int[500];
        FisherYates.permuteRuns(a, 500, 1, new SplittableRandom(3));
        FisherYates.permute(b, 500, new SplittableRandom(3));
        assertArrayEquals(b, a);
    }

    @Test
    void theRunOrderIsUniform() {
        // 4 runs of 3 (the last one of 2): each run first about a quarter of the time
        int[] first = new int[4];
        SplittableRandom rnd = new SplittableRandom(11);
        int[] a = new int[11];
        for (int t = 0; t < 40_000; t++) {
            FisherYates.permuteRuns(a, 11, 3, rnd);
            first[a[0] / 3]++;
        }
        for (int c : first) {
            assertEquals(10_000, c, 400, "first runs " + java.util.Arrays.toString(first));
        }
    }
}
